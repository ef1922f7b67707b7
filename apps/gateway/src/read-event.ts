import { type DedupEvent, JsonDepthError, JsonSyntaxError, type JsonValue, isJsonObject, parseJson } from '@ddup/hashing';
import { validationError } from './errors.ts';
import { eventSchema, toDedupEvent } from './event-schema.ts';
import { emptyBodyProblem, jsonProblem, notAnObjectProblem, problemsFromZod } from './validation-problems.ts';

/** JSON nested deeper than this is refused; real events are a few levels deep. */
export const MAX_EVENT_DEPTH = 64;

function parseBody(text: string): JsonValue {
  try {
    return parseJson(text, { maxDepth: MAX_EVENT_DEPTH });
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof JsonDepthError) {
      throw validationError([jsonProblem(error)]);
    }
    throw error;
  }
}

/**
 * Parses and validates an event body. Numbers keep their written form (the Python canonical
 * form needs `100.0` and big integers intact). Throws a 422 ApiError in FastAPI's shape.
 */
export function readEvent(text: string): DedupEvent {
  if (text.trim() === '') throw validationError([emptyBodyProblem()]);
  const body = parseBody(text);
  if (!isJsonObject(body)) throw validationError([notAnObjectProblem(body)]);
  const result = eventSchema.safeParse(body);
  if (!result.success) throw validationError(problemsFromZod(result.error.issues, body));
  return toDedupEvent(result.data);
}
