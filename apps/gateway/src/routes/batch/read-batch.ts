import type { CanonicalForm, JsonDepthError, JsonSyntaxError } from '@ddup/hashing';
import type { ValidationProblem } from '../../errors.ts';
import { type HashedEvent, keyEvent } from '../../validation/hash-event.ts';
import { type ParseEventOptions, malformedJsonProblems, parseEvent } from '../../validation/parse-event.ts';
import { isProblems } from '../../validation/problems.ts';
import { EVENT_TEXT_PER_TURN, yieldToEventLoop } from '../event-loop.ts';
import { atItem, eventTooLargeProblem } from './batch-problems.ts';
import type { BatchResult } from './batch-results.ts';
import { EchoBudget } from './echo-budget.ts';
import { malformedElementError } from './json-array-body.ts';

/** The items of a batch as texts. */
export interface BatchSource {
  readonly items: readonly string[];
  /**
   * For a JSON array, each item's offset in the body: malformed JSON in an item fails the whole body
   * (it is not an array). Absent for NDJSON, where a malformed line is only that item's problem.
   */
  readonly starts?: readonly number[];
}

export interface BatchReadOptions {
  readonly canonicalForm: CanonicalForm;
  /** The dedup space's key fields; undefined: the key is the whole event. */
  readonly keyFields?: readonly string[] | undefined;
  /** The single-event limit (`BODY_LIMIT_BYTES`): a larger item is invalid and is not parsed. */
  readonly eventLimitBytes: number;
}

/** The batch after validation: results of the invalid items, and the valid events waiting for admission. */
export interface ReadBatch {
  /** One per item; undefined for the valid items until admission fills them in. */
  readonly results: (BatchResult | undefined)[];
  readonly events: HashedEvent[];
  /** `events[k]` is item `positions[k]`. */
  readonly positions: number[];
}

/** Whether the item's UTF-8 form is over `limitBytes` (counted only when its length leaves a doubt). */
function isTooLarge(item: string, limitBytes: number): boolean {
  if (item.length > limitBytes) return true;
  return item.length * 3 > limitBytes && Buffer.byteLength(item, 'utf8') > limitBytes;
}

/** What malformed JSON in item `index` is: the whole body's 422 in an array, the item's problem in NDJSON. */
function malformedItem(text: string, source: BatchSource, index: number): NonNullable<ParseEventOptions['malformed']> {
  const start = source.starts?.[index];
  if (start === undefined) return malformedJsonProblems;
  return (error: JsonSyntaxError | JsonDepthError) => {
    throw malformedElementError(text, error, start);
  };
}

/** One item through the event pipeline, as the single-event route takes a body; `loc` gets the item's index after `body`. */
function hashItem(item: string, index: number, parse: ParseEventOptions, options: BatchReadOptions): HashedEvent | ValidationProblem[] {
  const parsed = parseEvent(item, parse);
  const hashed = isProblems(parsed) ? parsed : keyEvent(parsed, options.canonicalForm, options.keyFields);
  return isProblems(hashed) ? atItem(hashed, index) : hashed;
}

/**
 * Parses, validates and hashes every item, in order. Each item is parsed on its own (bounded work),
 * and the event loop is given back every `EVENT_TEXT_PER_TURN` characters so one big batch does not
 * stall the other requests. Throws the 422 for the whole body when an element of a JSON array is
 * malformed.
 */
export async function readBatch(text: string, source: BatchSource, options: BatchReadOptions): Promise<ReadBatch> {
  const { items } = source;
  const results = new Array<BatchResult | undefined>(items.length);
  const events: HashedEvent[] = [];
  const positions: number[] = [];
  // Items echo their text in `missing` problems while the budget lasts.
  const echo = new EchoBudget();
  const mayEcho = (chars: number) => echo.take(chars);
  let sinceYield = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? '';
    if (isTooLarge(item, options.eventLimitBytes)) {
      results[i] = { status: 'invalid', detail: [eventTooLargeProblem(i, options.eventLimitBytes)] };
      continue;
    }
    const hashed = hashItem(item, i, { mayEcho, malformed: malformedItem(text, source, i) }, options);
    if (isProblems(hashed)) {
      results[i] = { status: 'invalid', detail: hashed };
    } else {
      events.push(hashed);
      positions.push(i);
    }
    sinceYield += item.length;
    if (sinceYield > EVENT_TEXT_PER_TURN) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  return { results, events, positions };
}
