import { eventsStreamKey, shardOfStreamKey, sinkDeadLetterStreamKey, sinkGroupName, sinkOfGroupName, sinkReplayStreamKey } from './names.ts';
import { type RedisCommandSender, runScript } from './script-runner.ts';
import { type MoveReply, deadLetterScript } from './scripts.ts';
import { StreamGroup, groupsOfStream } from './streams/consumer-group.ts';
import { ENTRY_FIELDS, decodeStreamEntry } from './streams/stream-entry.ts';
import { rangeOfStream } from './streams/stream-reads.ts';
import { compareIds, trimAcknowledged } from './trim-point.ts';

/** Where a new sink's group starts on the events streams: every entry still there, or only what comes next. */
export type SinkGroupStart = 'earliest' | 'now';

/** Entries copied per XRANGE page when a time range is replayed, and dead letters looked through per page. */
const PAGE_SIZE = 500;

/** The largest sequence part of a stream id: `<ms>-MAX_SEQUENCE` ends millisecond `ms`. */
const MAX_SEQUENCE = '18446744073709551615';

function isMissingKey(error: unknown): boolean {
  return error instanceof Error && /NOGROUP|no such key/i.test(error.message);
}

/**
 * The streams one sink reads: its consumer group `ddup-sink:<id>` on every shard's events stream
 * and on its own replay streams (`ddup:{sNN}:replay:<id>`, where the admin API puts what an
 * operator asks to deliver again). `group` reads, acknowledges and reclaims over both; this adds
 * what only a sink does: where its group starts, its dead letters, the trimming of its replays.
 */
export class SinkStreams {
  readonly sink: string;
  /** The sink's group over events streams then replay streams, both in shard order. */
  readonly group: StreamGroup;
  readonly #events: StreamGroup;
  readonly #replays: StreamGroup;

  constructor(sink: string, shardCount: number) {
    this.sink = sink;
    const name = sinkGroupName(sink);
    this.#events = StreamGroup.ofEvents(name, shardCount);
    this.#replays = new StreamGroup(
      name,
      Array.from({ length: shardCount }, (_, shard) => sinkReplayStreamKey(shard, sink)),
    );
    this.group = new StreamGroup(name, [...this.#events.streams, ...this.#replays.streams]);
  }

  /**
   * Creates the sink's group where it is missing (and the stream with it): on the events streams
   * at `0` for `earliest` (every entry still in the stream) or `$` for `now`; on the replay streams
   * always at `0`. A group that exists keeps its place, whatever `start` says now.
   */
  async ensureGroups(redis: RedisCommandSender, start: SinkGroupStart): Promise<void> {
    await Promise.all([this.#events.ensure(redis, start === 'earliest' ? '0' : '$'), this.#replays.ensure(redis, '0')]);
  }

  /**
   * Moves pending entry `id` of `stream` to the sink's dead letters `ddup:{sNN}:dead:<sink>` and
   * acknowledges it, atomically (dead-letter-2.lua, as for the confirm workers); true when moved.
   */
  async deadLetter(redis: RedisCommandSender, stream: string, id: string, reason: string, attempts: number): Promise<boolean> {
    const shard = shardOfStreamKey(stream);
    if (shard === undefined) throw new RangeError(`not a shard's stream: ${stream}`);
    const keys = [stream, sinkDeadLetterStreamKey(shard, this.sink)];
    const [moved] = await runScript<MoveReply>(redis, deadLetterScript, keys, [this.group.name, id, reason, String(attempts)]);
    return moved === 1;
  }

  /** Trims what the sink has acknowledged of its replay streams (nobody else reads them). */
  async trimReplays(redis: RedisCommandSender): Promise<number> {
    let trimmed = 0;
    for (const stream of this.#replays.streams) {
      trimmed += await trimAcknowledged(redis, stream, 0).catch((error: unknown) => (isMissingKey(error) ? 0 : Promise.reject(error)));
    }
    return trimmed;
  }
}

/** One sink's backlog, over every shard: what `ddup inspect`, the metrics and the dashboard show. */
export interface SinkBacklog {
  readonly sink: string;
  /** Entries not yet read by the sink's group (an upper bound where Redis cannot tell), replays included. */
  readonly lag: number;
  /** Read by one of the sink's consumers, not acknowledged yet (being delivered, or its consumer died). */
  readonly pending: number;
  readonly deadLetters: number;
  /** Whether the group exists on any shard (a sink that never started has none). */
  readonly started: boolean;
}

/** XINFO GROUPS of `stream`; none when the stream does not exist. */
async function groupsOf(redis: RedisCommandSender, stream: string): Promise<Record<string, unknown>[]> {
  return groupsOfStream(redis, stream).catch((error: unknown) => (isMissingKey(error) ? [] : Promise.reject(error)));
}

/** The sink's group on `stream`: lag (XLEN when Redis cannot tell: an upper bound) and pending; undefined without the group. */
async function groupBacklog(redis: RedisCommandSender, stream: string, group: string): Promise<{ lag: number; pending: number } | undefined> {
  const found = (await groupsOf(redis, stream)).find((fields) => fields.name === group);
  if (found === undefined) return undefined;
  const { lag } = found;
  const known = lag === null || lag === undefined ? Number(await redis.sendCommand<number>(['XLEN', stream])) : Number(lag);
  return { lag: known, pending: Number(found.pending ?? 0) };
}

/** Each sink's lag, pending entries and dead letters, summed over the shards (events and replay streams). */
export async function inspectSinks(redis: RedisCommandSender, shardCount: number, sinks: readonly string[]): Promise<SinkBacklog[]> {
  return Promise.all(
    sinks.map(async (sink) => {
      const streams = new SinkStreams(sink, shardCount);
      const [backlogs, deadLetters] = await Promise.all([
        Promise.all(streams.group.streams.map((stream) => groupBacklog(redis, stream, streams.group.name))),
        Promise.all(Array.from({ length: shardCount }, (_, shard) => redis.sendCommand<number>(['XLEN', sinkDeadLetterStreamKey(shard, sink)]))),
      ]);
      const found = backlogs.filter((backlog) => backlog !== undefined);
      return {
        sink,
        lag: found.reduce((sum, backlog) => sum + backlog.lag, 0),
        pending: found.reduce((sum, backlog) => sum + backlog.pending, 0),
        deadLetters: deadLetters.reduce((sum: number, length) => sum + Number(length), 0),
        started: found.length > 0,
      };
    }),
  );
}

/** The sinks that have a group on any shard's events stream (whatever SINKS_FILE says now), by id. */
export async function sinksWithGroups(redis: RedisCommandSender, shardCount: number): Promise<string[]> {
  const perShard = await Promise.all(Array.from({ length: shardCount }, (_, shard) => groupsOf(redis, eventsStreamKey(shard))));
  const sinks = new Set<string>();
  for (const groups of perShard) {
    for (const fields of groups) {
      const sink = sinkOfGroupName(String(fields.name));
      if (sink !== undefined) sinks.add(sink);
    }
  }
  return [...sinks].sort();
}

/**
 * Copies the entries of every shard's events stream admitted from `fromMs` to `toMs` (inclusive,
 * ms since epoch) that are still in the stream onto the sink's replay streams, with `origin_id`
 * (the events entry's id, whose time is the event's first-seen time); the sink's workers deliver
 * them again (same hash, so the sink drops what it has). Returns how many were copied.
 */
export async function replaySinkRange(redis: RedisCommandSender, shardCount: number, sink: string, fromMs: number, toMs: number): Promise<number> {
  const copied = await Promise.all(
    Array.from({ length: shardCount }, async (_, shard) => {
      const source = eventsStreamKey(shard);
      const target = sinkReplayStreamKey(shard, sink);
      let start = `${fromMs}-0`;
      let count = 0;
      for (;;) {
        const page = await rangeOfStream(redis, source, start, `${toMs}-${MAX_SEQUENCE}`, PAGE_SIZE);
        for (const [id, flat] of page) {
          if (flat !== null) await redis.sendCommand(['XADD', target, '*', ...flat.map(String), ENTRY_FIELDS.origin, id]);
        }
        count += page.length;
        const last = page.at(-1);
        if (last === undefined || page.length < PAGE_SIZE) break;
        start = `(${last[0]}`;
      }
      return count;
    }),
  );
  return copied.reduce((sum, count) => sum + count, 0);
}

/** Where one event stands for one sink: its group acknowledged it, still has it to deliver, or dead-lettered it. */
export type SinkDeliveryState = 'delivered' | 'pending' | 'dead';

/** Dead letters looked through per sink and shard for one event's hash (dead letters are few; this bounds a lookup). */
const DEAD_LETTER_SCAN_LIMIT = 10_000;

async function isDeadFor(redis: RedisCommandSender, shard: number, sink: string, hash: string): Promise<boolean> {
  let start = '-';
  for (let seen = 0; seen < DEAD_LETTER_SCAN_LIMIT; seen += PAGE_SIZE) {
    const page = await rangeOfStream(redis, sinkDeadLetterStreamKey(shard, sink), start, '+', PAGE_SIZE);
    if (page.some((raw) => decodeStreamEntry(raw).hash === hash)) return true;
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE_SIZE) return false;
    start = `(${last[0]}`;
  }
  return false;
}

/**
 * For each sink with a group on `shard`'s events stream: whether the entry of event `hash`,
 * admitted at `firstSeenMs`, was delivered (acknowledged by the sink's group: delivered, or not
 * for the sink's tenants), is pending (not read yet, or read and not acknowledged) or is among
 * the sink's dead letters. An entry already trimmed counts as delivered once the group has read
 * past its time.
 */
export async function sinkDeliveryStates(
  redis: RedisCommandSender,
  shard: number,
  hash: string,
  firstSeenMs: number,
): Promise<{ sink: string; state: SinkDeliveryState }[]> {
  const stream = eventsStreamKey(shard);
  const groups = (await groupsOf(redis, stream)).flatMap((fields) => {
    const sink = sinkOfGroupName(String(fields.name));
    return sink === undefined ? [] : [{ fields, sink }];
  });
  if (groups.length === 0) return [];
  // The admission's XADD runs in the same script as its TIME, so the entry's id is that ms (or later,
  // when an earlier entry's id was ahead of the clock).
  const window = await rangeOfStream(redis, stream, `${firstSeenMs}-0`, `${firstSeenMs + 1000}-${MAX_SEQUENCE}`, 1000);
  const entryId = window.map(decodeStreamEntry).find((entry) => entry.hash === hash)?.id;
  return Promise.all(
    groups.map(async ({ fields, sink }) => {
      const group = sinkGroupName(sink);
      if (await isDeadFor(redis, shard, sink, hash)) return { sink, state: 'dead' as const };
      const lastDelivered = String(fields['last-delivered-id'] ?? '0-0');
      const id = entryId ?? `${firstSeenMs}-0`;
      if (compareIds(id, lastDelivered) > 0) return { sink, state: 'pending' as const };
      if (entryId === undefined) return { sink, state: 'delivered' as const };
      const pending = await redis.sendCommand<unknown[]>(['XPENDING', stream, group, entryId, entryId, '1']);
      return { sink, state: pending.length > 0 ? ('pending' as const) : ('delivered' as const) };
    }),
  );
}
