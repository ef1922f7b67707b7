import { JsonDepthError, JsonSyntaxError, type JsonValue } from '@ddup/hashing';
import { type ApiError, type ValidationProblem, validationError } from '../../errors.ts';
import { MalformedJson, parseEventJson } from '../../validation/event-json.ts';
import { MAX_ECHOED_BODY_CHARS, emptyBodyProblem, jsonProblem } from '../../validation/problems.ts';
import { listTypeProblem, tooManyEventsProblem } from './batch-problems.ts';
import { type ArraySplit, type ArrayStructureFailure, splitJsonArray } from './split-json-array.ts';

export interface JsonBatchLimits {
  readonly maxEvents: number;
  /** The single-event limit (`BODY_LIMIT_BYTES`): no piece of JSON longer than this is parsed at once. */
  readonly eventLimitBytes: number;
}

/** The elements of a JSON array body as texts, with their offsets in the body. */
export interface JsonBatch {
  readonly items: readonly string[];
  readonly starts: readonly number[];
}

/** A syntax error inside the element that starts at `start`, reported at its offset in the whole body. */
function elementProblem(text: string, error: JsonSyntaxError | JsonDepthError, start: number): ValidationProblem {
  const position = start + error.position;
  if (error instanceof JsonDepthError) return jsonProblem(new JsonDepthError(error.maxDepth, position));
  // Text after a complete element is a missing comma in an array, as a parser of the whole body says.
  const reason = error.reason === 'Extra data' ? "Expecting ',' delimiter" : error.reason;
  return jsonProblem(new JsonSyntaxError(reason, text, position));
}

/**
 * The 422 for the whole body `text` when its element starting at `start` is malformed, as a parser
 * of the whole body would give it: the body is not an array then.
 */
export function malformedElementError(text: string, error: JsonSyntaxError | JsonDepthError, start: number): ApiError {
  return validationError([elementProblem(text, error, start)]);
}

/**
 * Parses one element of the array (as deep as a single event may be). Malformed JSON anywhere makes
 * the whole body a 422, as it would be for a parser of the whole body, at its offset in the body.
 */
export function parseArrayElement(text: string, element: string, start: number): JsonValue {
  const value = parseEventJson(element);
  if (value instanceof MalformedJson) throw malformedElementError(text, value.error, start);
  return value;
}

/** The body is not an array. A small one is parsed, so malformed JSON is still `json_invalid`. */
function notAnArray(text: string, limits: JsonBatchLimits): ApiError {
  if (text.trim() === '') return validationError([emptyBodyProblem()]);
  if (text.length > limits.eventLimitBytes) return validationError([listTypeProblem({})]);
  const body = parseEventJson(text);
  if (body instanceof MalformedJson) return validationError([jsonProblem(body.error)]);
  return validationError([listTypeProblem(text.length <= MAX_ECHOED_BODY_CHARS ? body : {})]);
}

const JSON_BLANK = /^[ \t\n\r]*$/;

/**
 * The first problem in the text of a broken array: inside an element before the break, in the one
 * at it (both thrown by `parseArrayElement`), or else the break.
 */
function structureError(text: string, split: ArraySplit, failure: ArrayStructureFailure, limits: JsonBatchLimits): ApiError {
  const elements = [...split.items, text.slice(failure.pendingStart, failure.pendingEnd)];
  const starts = [...split.starts, failure.pendingStart];
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i] ?? '';
    if (element.length > limits.eventLimitBytes || JSON_BLANK.test(element)) continue;
    parseArrayElement(text, element, starts[i] ?? 0);
  }
  return validationError([jsonProblem(new JsonSyntaxError(failure.reason, text, failure.position))]);
}

/**
 * Splits a JSON array body into its elements' texts, or throws the 422 for the whole body: empty,
 * not an array (`list_type`), more than `maxEvents` elements (`too_long`, found before anything is
 * parsed) or broken structure (`json_invalid` at the first problem). The elements themselves go
 * through the event pipeline one by one afterwards (read-batch.ts), a malformed one failing the
 * whole body with `malformedElementError`.
 */
export function splitJsonBatch(text: string, limits: JsonBatchLimits): JsonBatch {
  const split = splitJsonArray(text, limits.maxEvents);
  if (split === undefined) throw notAnArray(text, limits);
  if (split.count > limits.maxEvents) throw validationError([tooManyEventsProblem(limits.maxEvents, split.count)]);
  if (split.failure) throw structureError(text, split, split.failure, limits);
  return split;
}
