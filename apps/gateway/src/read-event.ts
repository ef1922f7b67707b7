import { type DedupEvent, JsonDepthError, JsonSyntaxError, type JsonObject, type JsonValue, isJsonObject, parseJson } from '@ddup/hashing';
import { validationError } from './errors.ts';
import { eventSchema, toDedupEvent } from './event-schema.ts';
import { MAX_ECHOED_BODY_CHARS, emptyBodyProblem, jsonProblem, notAnObjectProblem, problemsFromZod } from './validation-problems.ts';

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

/** The event's four fields, without unknown ones (ignored anyway), which zod would copy one by one. */
const EVENT_FIELDS = ['user_id', 'event_type', 'timestamp', 'payload'] as const;

function eventFields(body: JsonObject): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  for (const key of EVENT_FIELDS) {
    const value = body[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

/**
 * Parses and validates an event body. Numbers keep their written form (the Python canonical
 * form needs `100.0` and big integers intact). Throws a 422 ApiError in FastAPI's shape.
 */
export function readEvent(text: string): DedupEvent {
  if (text.trim() === '') throw validationError([emptyBodyProblem()]);
  const body = parseBody(text);
  if (!isJsonObject(body)) throw validationError([notAnObjectProblem(body)]);
  const result = eventSchema.safeParse(eventFields(body));
  if (!result.success) {
    throw validationError(problemsFromZod(result.error.issues, body, text.length <= MAX_ECHOED_BODY_CHARS));
  }
  return toDedupEvent(result.data);
}
