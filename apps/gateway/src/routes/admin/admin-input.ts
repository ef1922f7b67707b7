import { JsonNumber, isJsonObject } from '@ddup/hashing';
import { type ValidationProblem, validationError } from '../../errors.ts';
import { parseEventJson, MalformedJson } from '../../validation/event-json.ts';
import { jsonProblem, notAnObjectProblem } from '../../validation/problems.ts';

/** An event's dedup key as the gateway writes it: SHA-256, 64 lowercase hex digits. */
export const HASH_PATTERN = '^[0-9a-f]{64}$';
/** A stream entry id, `<ms>-<seq>`. */
export const ENTRY_ID_PATTERN = '^\\d+-\\d+$';

export const DEAD_LETTER_LIMIT = { fallback: 100, min: 1, max: 1_000 } as const;

function patternProblem(loc: (string | number)[], input: unknown, pattern: string): ValidationProblem {
  return { type: 'string_pattern_mismatch', loc, msg: `String should match pattern '${pattern}'`, input, ctx: { pattern } };
}

/** The `{hash}` of an admin path, or 422 in FastAPI's shape (`loc: ["path", "hash"]`). */
export function hashParam(hash: string): string {
  if (!new RegExp(HASH_PATTERN).test(hash)) throw validationError([patternProblem(['path', 'hash'], hash, HASH_PATTERN)]);
  return hash;
}

/** A whole number outside `min`..`max`, as pydantic words it (`note` after the upper bound), or undefined. */
function outOfBounds(loc: (string | number)[], input: unknown, value: number, min: number, max: number, note = ''): ValidationProblem | undefined {
  if (value < min) return { type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${min}`, input, ctx: { ge: min } };
  if (value > max) return { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${max}${note}`, input, ctx: { le: max } };
  return undefined;
}

/** `?limit=N` of `GET /admin/dead-letters`: letters per shard, `DEAD_LETTER_LIMIT.min` to `.max`. */
export function limitQuery(value: string | undefined): number {
  if (value === undefined) return DEAD_LETTER_LIMIT.fallback;
  const loc = ['query', 'limit'];
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw validationError([{ type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input: value }]);
  }
  const limit = Number(value);
  const problem = outOfBounds(loc, value, limit, DEAD_LETTER_LIMIT.min, DEAD_LETTER_LIMIT.max);
  if (problem) throw validationError([problem]);
  return limit;
}

/** What a replay body asks for: these ids (all letters when absent), on one shard (every shard when absent). */
export interface ReplayRequest {
  readonly ids?: string[];
  readonly shard?: number;
}

/**
 * A replay body (`{"ids": [...], "shard": N}`, both optional; no body or a blank one: every letter
 * of every shard). An empty `ids` replays none, so a script whose filter matched nothing cannot
 * replay everything by accident. Entry ids are per shard stream: without `shard`, an id is looked
 * for on every shard, and two letters made in the same millisecond on two shards both go back.
 */
export function replayRequestOf(text: string, shardCount: number): ReplayRequest {
  if (text.trim() === '') return {};
  const body = parseEventJson(text);
  if (body instanceof MalformedJson) throw validationError([jsonProblem(body.error)]);
  if (!isJsonObject(body)) throw validationError([notAnObjectProblem(body)]);
  const problems: ValidationProblem[] = [];
  const { ids, shard } = body;
  if (ids !== undefined && ids !== null) {
    if (!Array.isArray(ids)) problems.push({ type: 'list_type', loc: ['body', 'ids'], msg: 'Input should be a valid list', input: ids });
    else {
      ids.forEach((id, index) => {
        const loc = ['body', 'ids', index];
        if (typeof id !== 'string') problems.push({ type: 'string_type', loc, msg: 'Input should be a valid string', input: id });
        else if (!new RegExp(ENTRY_ID_PATTERN).test(id)) problems.push(patternProblem(loc, id, ENTRY_ID_PATTERN));
      });
    }
  }
  // Numbers come parsed as written (JsonNumber); `1.0` is an integer here, as pydantic takes it.
  const shardNumber = shard instanceof JsonNumber ? Number(shard.text) : undefined;
  if (shard !== undefined && shard !== null) {
    const loc = ['body', 'shard'];
    const problem =
      shardNumber === undefined || !Number.isInteger(shardNumber)
        ? { type: 'int_type', loc, msg: 'Input should be a valid integer', input: shard }
        : outOfBounds(loc, shard, shardNumber, 0, shardCount - 1, ` (STREAM_SHARDS=${shardCount})`);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw validationError(problems);
  return {
    ...(Array.isArray(ids) ? { ids: ids as string[] } : {}),
    ...(shardNumber !== undefined ? { shard: shardNumber } : {}),
  };
}
