import { type CanonicalForm, JsonDepthError, JsonSyntaxError, type JsonValue, parseJson } from '@ddup/hashing';
import { EchoBudget } from './batch-echo-budget.ts';
import { type HashedEvent, hashBatchItem } from './batch-item.ts';
import { parseArrayElement } from './batch-json-body.ts';
import { atItem, eventTooLargeProblem } from './batch-problems.ts';
import type { BatchResult, InvalidResult } from './batch-results.ts';
import { MAX_EVENT_DEPTH } from './read-event.ts';
import { jsonProblem } from './validation-problems.ts';

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

/** After this many characters of items, other requests get a turn of the event loop. */
const YIELD_EVERY_CHARS = 64 * 1024;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether the item's UTF-8 form is over `limitBytes` (counted only when its length leaves a doubt). */
function isTooLarge(item: string, limitBytes: number): boolean {
  if (item.length > limitBytes) return true;
  return item.length * 3 > limitBytes && Buffer.byteLength(item, 'utf8') > limitBytes;
}

/** A malformed NDJSON line (a class, so it cannot be mistaken for a parsed value). */
class MalformedLine {
  constructor(readonly result: InvalidResult) {}
}

/** An NDJSON line as JSON, or its problem (`json_invalid` at `['body', index, <offset in the line>]`). */
function parseLine(line: string, index: number): JsonValue | MalformedLine {
  try {
    return parseJson(line, { maxDepth: MAX_EVENT_DEPTH });
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof JsonDepthError) {
      return new MalformedLine({ status: 'invalid', detail: atItem([jsonProblem(error)], index) });
    }
    throw error;
  }
}

/**
 * Parses, validates and hashes every item, in order. Each item is parsed on its own (bounded work),
 * and the event loop is given back every `YIELD_EVERY_CHARS` so one big batch does not stall the
 * other requests. Throws the 422 for the whole body when an element of a JSON array is malformed.
 */
export async function readBatch(text: string, source: BatchSource, options: BatchReadOptions): Promise<ReadBatch> {
  const { items, starts } = source;
  const results = new Array<BatchResult | undefined>(items.length);
  const events: HashedEvent[] = [];
  const positions: number[] = [];
  const echo = new EchoBudget();
  let sinceYield = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? '';
    if (isTooLarge(item, options.eventLimitBytes)) {
      results[i] = { status: 'invalid', detail: [eventTooLargeProblem(i, options.eventLimitBytes)] };
      continue;
    }
    let value: JsonValue;
    if (starts) {
      value = parseArrayElement(text, item, starts[i] ?? 0);
    } else {
      const line = parseLine(item, i);
      if (line instanceof MalformedLine) {
        results[i] = line.result;
        continue;
      }
      value = line;
    }
    const hashed = hashBatchItem(value, i, item.length, options.canonicalForm, echo);
    if (Array.isArray(hashed)) {
      results[i] = { status: 'invalid', detail: hashed };
    } else {
      events.push(hashed);
      positions.push(i);
    }
    sinceYield += item.length;
    if (sinceYield > YIELD_EVERY_CHARS) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  return { results, events, positions };
}
