import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A Lua script shipped with ddup: its source, SHA1 for EVALSHA, and how many of its arguments are keys. */
export interface LuaScript {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly source: string;
  readonly sha1: string;
}

/** `<name>-<numberOfKeys>.lua`, or `<name>-var.lua` for a script whose key count varies per call. */
const SCRIPT_FILE_NAME = /^(.+)-(\d+|var)\.lua$/;

/** `--- @include "includes/x.lua"` on a line of its own, as in BullMQ: replaced by that file. */
const INCLUDE = /^--- @include "([\w./-]+)"$/gm;

function scriptText(path: string): string {
  return readFileSync(new URL(`./scripts/${path}`, import.meta.url), 'utf8');
}

/** The script's source with its includes in place (one level: an include includes nothing). */
export function withIncludes(source: string): string {
  return source.replace(INCLUDE, (_, path: string) => scriptText(path).trimEnd());
}

function readScript(fileName: string) {
  const match = SCRIPT_FILE_NAME.exec(fileName);
  if (!match?.[1] || !match[2]) throw new Error(`script file name must be <name>-<keys>.lua or <name>-var.lua: ${fileName}`);
  const source = withIncludes(scriptText(fileName));
  return { name: match[1], keys: match[2], source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Loads `scripts/<name>-<numberOfKeys>.lua`; the key count is part of the file name, as in BullMQ. */
function loadScript(fileName: string): LuaScript {
  const { name, keys, source, sha1 } = readScript(fileName);
  if (keys === 'var') throw new Error(`${fileName} takes a variable number of keys: load it with loadVariadicScript`);
  return { name, numberOfKeys: Number(keys), source, sha1 };
}

/**
 * A script that takes a different number of keys on each call (file `<name>-var.lua`; its header
 * says how the count is made up). `withKeyCount(n)` is the script as `runScript` takes it for one
 * call with `n` keys, so runScript still checks the keys it is given against a stated count.
 */
export interface VariadicLuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
  withKeyCount(numberOfKeys: number): LuaScript;
}

function loadVariadicScript(fileName: string): VariadicLuaScript {
  const { name, keys, source, sha1 } = readScript(fileName);
  if (keys !== 'var') throw new Error(`${fileName} takes ${keys} keys: load it with loadScript`);
  return { name, source, sha1, withKeyCount: (numberOfKeys) => ({ name, numberOfKeys, source, sha1 }) };
}

/** Admits one event: see the header of `scripts/admit-var.lua` (2 keys, 3 with legacy keys). */
export const admitScript = loadVariadicScript('admit-var.lua');

/** `{1, id}` admitted, or `{0, state, first seen ms (-1: unknown)}` a duplicate. */
export type AdmitReply = [1, string] | [0, string, number];

/** Admits a batch of events of one shard in one call: see the header of `scripts/admit-batch-var.lua`. */
export const admitBatchScript = loadVariadicScript('admit-batch-var.lua');

/** Three elements per event, in order: `1, <entry id>, 0` (admitted) or `0, <state>, <first seen ms>` (duplicate). */
export type AdmitBatchReply = (number | string)[];

/** Confirms a batch of one shard's entries in one call: see the header of `scripts/confirm-batch-var.lua`. */
export const confirmBatchScript = loadVariadicScript('confirm-batch-var.lua');

/** What the index remembers of one hash: see `scripts/lookup-1.lua`. */
export const lookupScript = loadScript('lookup-1.lua');

/** `{1, state, first seen ms, expires ms}` or `{0}`. */
export type LookupReply = [1, string, number, number] | [0];

/** Forgets one hash: see `scripts/forget-1.lua`. */
export const forgetScript = loadScript('forget-1.lua');

/** Counts the live records of some buckets of one shard: see `scripts/count-live-var.lua`. */
export const countLiveScript = loadVariadicScript('count-live-var.lua');

/** Notes the content an Idempotency-Key first came with, within a quota: see `scripts/idempotency-claim-var.lua`. */
export const idempotencyClaimScript = loadVariadicScript('idempotency-claim-var.lua');

/** `{answer, retry after ms}`: see `scripts/idempotency-claim-var.lua`. */
export type IdempotencyClaimReply = [string, number];

/** Takes tokens from a tenant's rate-limit bucket: see `scripts/rate-limit-1.lua`. */
export const rateLimitScript = loadScript('rate-limit-1.lua');

/** Moves a pending entry to the dead-letter stream and acknowledges it: see `scripts/dead-letter-2.lua`. */
export const deadLetterScript = loadScript('dead-letter-2.lua');

/** Puts a dead letter back on the events stream: see `scripts/replay-dead-letter-2.lua`. */
export const replayDeadLetterScript = loadScript('replay-dead-letter-2.lua');

/** `{1, id}` when the script acted, `{0, ''}` when there was nothing to act on. */
export type MoveReply = [1, string] | [0, ''];

/** Moves one of a sink's dead letters to its replay stream: see `scripts/sink-replay-dead-letter-2.lua`. */
export const sinkReplayDeadLetterScript = loadScript('sink-replay-dead-letter-2.lua');
