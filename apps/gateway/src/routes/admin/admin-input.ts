import { isJsonObject } from '@ddup/hashing';
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

/** `?limit=N` of `GET /admin/dead-letters`: letters per shard, `DEAD_LETTER_LIMIT.min` to `.max`. */
export function limitQuery(value: string | undefined): number {
  if (value === undefined) return DEAD_LETTER_LIMIT.fallback;
  const loc = ['query', 'limit'];
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw validationError([{ type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input: value }]);
  }
  const limit = Number(value);
  const { min, max } = DEAD_LETTER_LIMIT;
  if (limit < min)
    throw validationError([{ type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${min}`, input: value, ctx: { ge: min } }]);
  if (limit > max)
    throw validationError([{ type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${max}`, input: value, ctx: { le: max } }]);
  return limit;
}

/**
 * The dead entry ids a replay body names (`{"ids": [...]}`), or undefined to replay every letter:
 * no body, a blank one, or no `ids`. An empty list replays none, so a script whose filter matched
 * nothing cannot replay everything by accident.
 */
export function replayIdsOf(text: string): string[] | undefined {
  if (text.trim() === '') return undefined;
  const body = parseEventJson(text);
  if (body instanceof MalformedJson) throw validationError([jsonProblem(body.error)]);
  if (!isJsonObject(body)) throw validationError([notAnObjectProblem(body)]);
  const ids = body.ids;
  if (ids === undefined || ids === null) return undefined;
  if (!Array.isArray(ids)) throw validationError([{ type: 'list_type', loc: ['body', 'ids'], msg: 'Input should be a valid list', input: ids }]);
  const problems: ValidationProblem[] = [];
  ids.forEach((id, index) => {
    const loc = ['body', 'ids', index];
    if (typeof id !== 'string') problems.push({ type: 'string_type', loc, msg: 'Input should be a valid string', input: id });
    else if (!new RegExp(ENTRY_ID_PATTERN).test(id)) problems.push(patternProblem(loc, id, ENTRY_ID_PATTERN));
  });
  if (problems.length > 0) throw validationError(problems);
  return ids as string[];
}
