import { type DedupEvent, type JsonDepthError, type JsonSyntaxError, isJsonObject } from '@ddup/hashing';
import type { ValidationProblem } from '../errors.ts';
import { MalformedJson, parseEventJson } from './event-json.ts';
import { eventFieldsOf, eventSchema, toDedupEvent } from './event-schema.ts';
import { MAX_ECHOED_BODY_CHARS, emptyBodyProblem, jsonProblem, notAnObjectProblem, problemsFromZod } from './problems.ts';

/** A valid event, as parsed: what the rest of the pipeline (the key, then admission) works from. */
export interface ParsedEvent {
  /** The four fields, numbers as written. */
  readonly event: DedupEvent;
}

export interface ParseEventOptions {
  /**
   * Whether `missing` problems may echo the whole text (`chars` long) as their `input`, as
   * pydantic's do; asked at most once, only when a field is missing. Default: up to
   * `MAX_ECHOED_BODY_CHARS`.
   */
  readonly mayEcho?: (chars: number) => boolean;
  /** The problems of text that is not JSON. Default: `json_invalid` at its offset, or `missing` for a blank body. */
  readonly malformed?: (error: JsonSyntaxError | JsonDepthError) => ValidationProblem[];
}

const echoSmallBodies = (chars: number): boolean => chars <= MAX_ECHOED_BODY_CHARS;

/** `json_invalid` at the problem's offset in the text. */
export function malformedJsonProblems(error: JsonSyntaxError | JsonDepthError): ValidationProblem[] {
  return [jsonProblem(error)];
}

/**
 * The first step of the event pipeline: parses and validates an event's text (a request body, or an
 * item of a batch) with the schema of the Python service, numbers kept as written. Returns the
 * problems, in FastAPI's shape with `loc` starting at `body`, when it is not a valid event.
 */
export function parseEvent(text: string, options: ParseEventOptions = {}): ParsedEvent | ValidationProblem[] {
  const body = parseEventJson(text);
  if (body instanceof MalformedJson) {
    if (options.malformed) return options.malformed(body.error);
    // An empty body is reported as a missing one, as FastAPI does.
    return text.trim() === '' ? [emptyBodyProblem()] : malformedJsonProblems(body.error);
  }
  if (!isJsonObject(body)) return [notAnObjectProblem(body)];
  const result = eventSchema.safeParse(eventFieldsOf(body));
  if (!result.success) {
    const mayEcho = options.mayEcho ?? echoSmallBodies;
    return problemsFromZod(result.error.issues, body, () => mayEcho(text.length));
  }
  return { event: toDedupEvent(result.data) };
}
