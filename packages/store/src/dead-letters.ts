import { deadLetterStreamKey, sinkDeadLetterStreamKey, sinkReplayStreamKey } from './names.ts';
import { type RedisCommandSender, runScript } from './script-runner.ts';
import { type MoveReply, sinkReplayDeadLetterScript } from './scripts.ts';
import type { Store } from './store.ts';
import { fieldsOf } from './streams/flat-reply.ts';
import type { RawStreamEntry } from './streams/stream-entry.ts';
import { lastOfStream, rangeOfStream } from './streams/stream-reads.ts';

/**
 * One entry of a shard's dead-letter stream `ddup:{sNN}:dead` (or a sink's, `ddup:{sNN}:dead:<sink>`):
 * `source_id`, `reason`, `deliveries`, then the original fields.
 */
export interface DeadLetter {
  readonly shard: number;
  /** The sink whose dead letter it is; undefined: the confirm workers'. */
  readonly sink?: string;
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** A dead letter as the admin API and `ddup dead-letters --json` show it: its fields by name, null when absent. */
export function deadLetterSummary(letter: DeadLetter) {
  const { source_id, reason, deliveries, hash, event } = letter.fields;
  return {
    shard: letter.shard,
    id: letter.id,
    source_id: source_id ?? null,
    reason: reason ?? null,
    deliveries: deliveries === undefined ? null : Number(deliveries),
    hash: hash ?? null,
    /** The canonical JSON text as stored. */
    event: event ?? null,
  };
}

/** Which dead letters to read or replay: every shard's, or one shard's; at most `limit` per shard (all when unset). */
export interface DeadLetterSelection {
  readonly shard?: number;
  readonly limit?: number;
  /** A sink's dead letters (`ddup:{sNN}:dead:<sink>`) instead of the confirm workers'. */
  readonly sink?: string;
}

function deadKeyOf(shard: number, sink: string | undefined): string {
  return sink === undefined ? deadLetterStreamKey(shard) : sinkDeadLetterStreamKey(shard, sink);
}

/** Letters read per XRANGE when going through a whole dead-letter stream. */
export const DEAD_LETTER_PAGE_SIZE = 500;

function letterOf(shard: number, [id, flat]: RawStreamEntry, sink?: string): DeadLetter {
  const fields = fieldsOf<string>(flat);
  return sink === undefined ? { shard, id, fields } : { shard, sink, id, fields };
}

function shardsOf(shardCount: number, selection: DeadLetterSelection): number[] {
  if (selection.shard !== undefined) {
    if (!(Number.isInteger(selection.shard) && selection.shard >= 0 && selection.shard < shardCount)) {
      throw new RangeError(`no shard ${selection.shard} among ${shardCount}`);
    }
    return [selection.shard];
  }
  return Array.from({ length: shardCount }, (_, shard) => shard);
}

/**
 * The dead letters of one shard, oldest first: `count` of them after entry `after` (exclusive; from
 * the start when unset) and up to `until` (inclusive; to the end when unset).
 */
export async function readDeadLetters(
  redis: RedisCommandSender,
  shard: number,
  range: { readonly count: number; readonly after?: string; readonly until?: string; readonly sink?: string },
): Promise<DeadLetter[]> {
  const start = range.after === undefined ? '-' : `(${range.after}`;
  const entries = await rangeOfStream(redis, deadKeyOf(shard, range.sink), start, range.until ?? '+', range.count);
  return entries.map((entry) => letterOf(shard, entry, range.sink));
}

/** The oldest `count` dead letters of each shard (or of `selection.shard` only), shard by shard. */
export async function listDeadLetters(
  redis: RedisCommandSender,
  shardCount: number,
  count: number,
  selection: Omit<DeadLetterSelection, 'limit'> = {},
): Promise<DeadLetter[]> {
  const { sink } = selection;
  const perShard = await Promise.all(shardsOf(shardCount, selection).map((shard) => readDeadLetters(redis, shard, { count, sink })));
  return perShard.flat();
}

/** The dead letters with entry id `id`, in every shard (or `shard` only): ids are per stream, so two shards may each hold one. */
export async function findDeadLetters(
  redis: RedisCommandSender,
  shardCount: number,
  id: string,
  selection: Omit<DeadLetterSelection, 'limit'> = {},
): Promise<DeadLetter[]> {
  const found = await Promise.all(
    shardsOf(shardCount, selection).map(async (shard) =>
      (await rangeOfStream(redis, deadKeyOf(shard, selection.sink), id, id)).map((entry) => letterOf(shard, entry, selection.sink)),
    ),
  );
  return found.flat();
}

/** How many dead letters the shards hold (XLEN of each dead-letter stream). */
export async function countDeadLetters(redis: RedisCommandSender, shardCount: number, selection: Omit<DeadLetterSelection, 'limit'> = {}): Promise<number> {
  const lengths = await Promise.all(shardsOf(shardCount, selection).map((shard) => redis.sendCommand<number>(['XLEN', deadKeyOf(shard, selection.sink)])));
  return lengths.reduce((sum, length) => sum + Number(length), 0);
}

/** Moves one of a sink's dead letters to the sink's replay stream (only that sink delivers it again); the new entry's id. */
async function replaySinkLetter(redis: RedisCommandSender, shard: number, sink: string, id: string): Promise<string | undefined> {
  const keys = [sinkDeadLetterStreamKey(shard, sink), sinkReplayStreamKey(shard, sink)];
  const [moved, newId] = await runScript<MoveReply>(redis, sinkReplayDeadLetterScript, keys, [id]);
  return moved === 1 ? newId : undefined;
}

/**
 * Puts dead letters back on their shard's events stream (a sink's: on the sink's replay stream),
 * each atomically (replay-dead-letter-2.lua, sink-replay-dead-letter-2.lua); returns the new entry
 * ids of those replayed. A letter already gone (replayed meanwhile) is skipped.
 */
export async function replayDeadLetters(redis: RedisCommandSender, store: Store, letters: readonly DeadLetter[]): Promise<string[]> {
  // Sent together: one shard's letters travel on one connection, so they keep their order.
  const ids = await Promise.all(
    letters.map((letter) =>
      letter.sink === undefined ? store.replay(redis, letter.shard, letter.id) : replaySinkLetter(redis, letter.shard, letter.sink, letter.id),
    ),
  );
  return ids.filter((id): id is string => id !== undefined);
}

/**
 * Replays the dead letters with these entry ids, looked for in every shard (or `shard` only); an id
 * that names no dead letter is not replayed. Returns the new entry ids.
 */
export async function replayDeadLettersById(redis: RedisCommandSender, store: Store, ids: readonly string[], shard?: number, sink?: string): Promise<string[]> {
  const shards = shardsOf(store.layout.shardCount, { shard });
  const letters = ids.flatMap((id) => shards.map((each) => (sink === undefined ? { shard: each, id, fields: {} } : { shard: each, sink, id, fields: {} })));
  return replayDeadLetters(redis, store, letters);
}

/**
 * Replays every dead letter of the selection that is there when it starts (letters dead-lettered
 * meanwhile wait for the next replay, so a replay that keeps failing cannot loop), a page at a
 * time; `onReplayed` hears the running count after each page. Returns the new entry ids.
 */
export async function replayAllDeadLetters(
  redis: RedisCommandSender,
  store: Store,
  selection: DeadLetterSelection = {},
  onReplayed: (replayed: number) => void = () => undefined,
): Promise<string[]> {
  const replayed: string[] = [];
  for (const shard of shardsOf(store.layout.shardCount, selection)) {
    const [last] = (await lastOfStream(redis, deadKeyOf(shard, selection.sink))) ?? [];
    if (last === undefined) continue;
    let left = selection.limit ?? Number.POSITIVE_INFINITY;
    let after: string | undefined;
    while (left > 0) {
      const page = await readDeadLetters(redis, shard, { count: Math.min(left, DEAD_LETTER_PAGE_SIZE), after, until: last, sink: selection.sink });
      if (page.length === 0) break;
      replayed.push(...(await replayDeadLetters(redis, store, page)));
      onReplayed(replayed.length);
      left -= page.length;
      after = page[page.length - 1]?.id;
    }
  }
  return replayed;
}
