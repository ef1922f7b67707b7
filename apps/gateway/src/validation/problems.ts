import type { z } from 'zod';
import { type JsonDepthError, JsonSyntaxError, type JsonValue, type LoneSurrogateError, type NonFiniteNumberError } from '@ddup/hashing';
import type { ValidationProblem } from '../errors.ts';

/** pydantic v2's wording for the problems an event body can have. */
const MESSAGES = {
  missing: 'Field required',
  string_type: 'Input should be a valid string',
  dict_type: 'Input should be a valid dictionary',
  model_attributes_type: 'Input should be a valid dictionary or object to extract fields from',
  json_invalid: 'JSON decode error',
} as const;

/** The value at `path` inside `root`, for the `input` member of a problem. */
function valueAt(root: JsonValue, path: readonly PropertyKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * pydantic echoes the whole body as the `input` of every `missing` problem: up to four copies of it.
 * Above this many characters the body is not echoed (`input: {}`), so a 1 MiB body cannot make a
 * 4 MiB answer (and a long JSON.stringify); nothing else in an answer repeats the body.
 */
export const MAX_ECHOED_BODY_CHARS = 64 * 1024;

/**
 * Maps zod's issues on an event body to FastAPI's `detail` entries (`loc` starts with "body").
 * `mayEchoBody`: whether `missing` problems carry the whole body as their `input`, as pydantic's
 * do; asked once, and only when a field is missing (a batch counts what it echoes).
 */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[], body: JsonValue, mayEchoBody: () => boolean): ValidationProblem[] {
  let echoBody: boolean | undefined;
  return issues.map((issue) => {
    const loc: (string | number)[] = ['body', ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))];
    const input = valueAt(body, issue.path);
    if (input === undefined) {
      echoBody ??= mayEchoBody();
      return { type: 'missing', loc, msg: MESSAGES.missing, input: echoBody ? body : {} };
    }
    if (issue.code === 'custom') return { type: 'dict_type', loc, msg: MESSAGES.dict_type, input };
    if (issue.code === 'invalid_type' && issue.expected === 'string') {
      return { type: 'string_type', loc, msg: MESSAGES.string_type, input };
    }
    return { type: issue.code, loc, msg: issue.message, input };
  });
}

/** The body is valid JSON but not an object (an array, a string, a number...). */
export function notAnObjectProblem(body: JsonValue): ValidationProblem {
  return { type: 'model_attributes_type', loc: ['body'], msg: MESSAGES.model_attributes_type, input: body };
}

/** An empty body: FastAPI reports the whole body as missing. */
export function emptyBodyProblem(): ValidationProblem {
  return { type: 'missing', loc: ['body'], msg: MESSAGES.missing, input: null };
}

/** Body bytes that are not UTF-8 (so not JSON text); `offset` counts bytes, not characters. */
export function invalidUtf8Problem(offset: number): ValidationProblem {
  return {
    type: 'json_invalid',
    loc: ['body', offset],
    msg: MESSAGES.json_invalid,
    input: {},
    ctx: { error: 'Invalid UTF-8' },
  };
}

/** Text that is not JSON, or JSON nested too deep to accept. */
export function jsonProblem(error: JsonSyntaxError | JsonDepthError): ValidationProblem {
  const reason = error instanceof JsonSyntaxError ? error.reason : error.message;
  return {
    type: 'json_invalid',
    loc: ['body', error.position],
    msg: MESSAGES.json_invalid,
    input: {},
    ctx: { error: reason },
  };
}

/** A payload the JCS form cannot write (`1e400`, a lone surrogate), though the Python form can. */
export function unwritableValueProblem(error: NonFiniteNumberError | LoneSurrogateError, payload: JsonValue): ValidationProblem {
  return { type: 'value_error', loc: ['body', 'payload'], msg: error.message, input: payload };
}

/** Whether a step of the event pipeline gave problems rather than its result. */
export function isProblems<T extends object>(result: T | ValidationProblem[]): result is ValidationProblem[] {
  return Array.isArray(result);
}
