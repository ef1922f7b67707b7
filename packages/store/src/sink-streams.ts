import { eventsStreamKey, shardOfStreamKey, sinkDeadLetterStreamKey, sinkGroupName, sinkOfGroupName, sinkReplayStreamKey } from './names.ts';
import { type RedisCommandSender, runScript } from './script-runner.ts';
import { type MoveReply, deadLetterScript } from './scripts.ts';
import { compareIds, trimAcknowledged } from './trim-point.ts';

/** Where a new sink's group starts on the events streams: every entry still there, or only what comes next. */
export type SinkGroupStart = 'earliest' | 'now';

/** Entries copied per XRANGE page when a time range is replayed. */
const REPLAY_PAGE_SIZE = 500;

function isMissingGroupOrKey(error: unknown): boolean {
  return error instanceof Error && /NOGROUP|no such key/i.test(error.message);
}

/**
 * The streams one sink reads and the commands it reads them with: its consumer group
 * `ddup-sink:<id>` on every shard's events stream and on its own replay streams
 * (`ddup:{sNN}:replay:<id>`, where the admin API puts what an operator asks to deliver again).
 * Every command here names one stream, or streams of one shard's hash tag.
 */
export class SinkStreams {
  readonly sink: string;
  readonly group: string;
  /** Events streams then replay streams, both in shard order. */
  readonly streams: readonly string[];

  constructor(sink: string, shardCount: number) {
    this.sink = sink;
    this.group = sinkGroupName(sink);
    const shards = Array.from({ length: shardCount }, (_, shard) => shard);
    this.streams = [...shards.map((shard) => eventsStreamKey(shard)), ...shards.map((shard) => sinkReplayStreamKey(shard, sink))];
  }

  /**
   * Creates the sink's group where it is missing (and the stream with it): on the events streams
   * at `0` for `earliest` (every entry still in the stream) or `$` for `now`; on the replay streams
   * always at `0`. A group that exists keeps its place, whatever `start` says now.
   */
  async ensureGroups(redis: RedisCommandSender, start: SinkGroupStart): Promise<void> {
    await Promise.all(
      this.streams.map(async (stream) => {
        const from = start === 'earliest' || this.isReplayStream(stream) ? '0' : '$';
        try {
          await redis.sendCommand(['XGROUP', 'CREATE', stream, this.group, from, 'MKSTREAM']);
        } catch (error) {
          if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
        }
      }),
    );
  }

  isReplayStream(stream: string): boolean {
    return stream.endsWith(`:replay:${this.sink}`);
  }

  /**
   * One XREADGROUP over `cursors` (`>` for new entries, an id for the consumer's own pending ones);
   * the raw reply (null when BLOCK ran out). All the cursors' streams must share a slot on a cluster.
   */
  read(redis: RedisCommandSender, consumer: string, cursors: readonly (readonly [string, string])[], count: number, blockMs?: number): Promise<unknown> {
    const block = blockMs === undefined ? [] : ['BLOCK', String(blockMs)];
    const streams = cursors.map(([stream]) => stream);
    const ids = cursors.map(([, id]) => id);
    return redis.sendCommand(['XREADGROUP', 'GROUP', this.group, consumer, 'COUNT', String(count), ...block, 'STREAMS', ...streams, ...ids]);
  }

  /** Acknowledges entries of `stream` for this sink; XACK's count. */
  async ack(redis: RedisCommandSender, stream: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return redis.sendCommand<number>(['XACK', stream, this.group, ...ids]);
  }

  /**
   * Takes over entries of `stream` pending longer than `minIdleMs` (their consumer presumed dead):
   * XAUTOCLAIM's entries (raw, as XRANGE shows them; those deleted from the stream meanwhile Redis 7
   * drops from the pending list itself), and whether there may be more.
   */
  async claimStale(redis: RedisCommandSender, stream: string, consumer: string, minIdleMs: number, count: number): Promise<{ entries: unknown[]; more: boolean }> {
    const reply = await redis.sendCommand<[string, unknown[], string[]?]>([
      'XAUTOCLAIM',
      stream,
      this.group,
      consumer,
      String(minIdleMs),
      '0-0',
      'COUNT',
      String(count),
    ]);
    return { entries: reply[1], more: reply[0] !== '0-0' };
  }

  /**
   * Moves pending entry `id` of `stream` to the sink's dead letters `ddup:{sNN}:dead:<sink>` and
   * acknowledges it, atomically (dead-letter-2.lua, as for the confirm workers); true when moved.
   */
  async deadLetter(redis: RedisCommandSender, stream: string, id: string, reason: string, attempts: number): Promise<boolean> {
    const shard = shardOfStreamKey(stream);
    if (shard === undefined) throw new RangeError(`not a shard's stream: ${stream}`);
    const keys = [stream, sinkDeadLetterStreamKey(shard, this.sink)];
    const [moved] = await runScript<MoveReply>(redis, deadLetterScript, keys, [this.group, id, reason, String(attempts)]);
    return moved === 1;
  }

  /** Trims what the sink has acknowledged of its replay streams (nobody else reads them). */
  async trimReplays(redis: RedisCommandSender): Promise<number> {
    let trimmed = 0;
    for (const stream of this.streams.filter((each) => this.isReplayStream(each))) {
      trimmed += await trimAcknowledged(redis, stream, 0).catch((error: unknown) => (isMissingGroupOrKey(error) ? 0 : Promise.reject(error)));
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

function fieldsOf(reply: unknown): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  if (!Array.isArray(reply)) return fields;
  for (let k = 0; k + 1 < reply.length; k += 2) fields.set(String(reply[k]), reply[k + 1]);
  return fields;
}

/** XINFO GROUPS of `stream` as maps; none when the stream does not exist. */
async function groupsOf(redis: RedisCommandSender, stream: string): Promise<Map<string, unknown>[]> {
  try {
    return (await redis.sendCommand<unknown[]>(['XINFO', 'GROUPS', stream])).map(fieldsOf);
  } catch (error) {
    if (isMissingGroupOrKey(error)) return [];
    throw error;
  }
}

/** The sink's group on `stream`: lag (XLEN when Redis cannot tell: an upper bound) and pending; undefined without the group. */
async function groupBacklog(redis: RedisCommandSender, stream: string, group: string): Promise<{ lag: number; pending: number } | undefined> {
  const found = (await groupsOf(redis, stream)).find((fields) => fields.get('name') === group);
  if (found === undefined) return undefined;
  const lag = found.get('lag');
  const known = lag === null || lag === undefined ? Number(await redis.sendCommand<number>(['XLEN', stream])) : Number(lag);
  return { lag: known, pending: Number(found.get('pending') ?? 0) };
}

/** Each sink's lag, pending entries and dead letters, summed over the shards (events and replay streams). */
export async function inspectSinks(redis: RedisCommandSender, shardCount: number, sinks: readonly string[]): Promise<SinkBacklog[]> {
  return Promise.all(
    sinks.map(async (sink) => {
      const streams = new SinkStreams(sink, shardCount);
      const [backlogs, deadLetters] = await Promise.all([
        Promise.all(streams.streams.map((stream) => groupBacklog(redis, stream, streams.group))),
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
      const sink = sinkOfGroupName(String(fields.get('name')));
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
        const page = await redis.sendCommand<[string, string[]][]>(['XRANGE', source, start, `${toMs}-18446744073709551615`, 'COUNT', String(REPLAY_PAGE_SIZE)]);
        for (const [id, flat] of page) await redis.sendCommand(['XADD', target, '*', ...flat, 'origin_id', id]);
        count += page.length;
        const last = page.at(-1);
        if (last === undefined || page.length < REPLAY_PAGE_SIZE) break;
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
  for (let seen = 0; seen < DEAD_LETTER_SCAN_LIMIT; seen += REPLAY_PAGE_SIZE) {
    const page = await redis.sendCommand<[string, string[]][]>(['XRANGE', sinkDeadLetterStreamKey(shard, sink), start, '+', 'COUNT', String(REPLAY_PAGE_SIZE)]);
    if (page.some(([, flat]) => flat.some((value, index) => index % 2 === 1 && flat[index - 1] === 'hash' && value === hash))) return true;
    const last = page.at(-1);
    if (last === undefined || page.length < REPLAY_PAGE_SIZE) return false;
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
    const sink = sinkOfGroupName(String(fields.get('name')));
    return sink === undefined ? [] : [{ fields, sink }];
  });
  if (groups.length === 0) return [];
  // The admission's XADD runs in the same script as its TIME, so the entry's id is that ms (or later,
  // when an earlier entry's id was ahead of the clock).
  const window = await redis.sendCommand<[string, string[]][]>(['XRANGE', stream, `${firstSeenMs}-0`, `${firstSeenMs + 1000}-18446744073709551615`, 'COUNT', '1000']);
  const entryId = window.find(([, flat]) => flat.some((value, index) => index % 2 === 1 && flat[index - 1] === 'hash' && value === hash))?.[0];
  return Promise.all(
    groups.map(async ({ fields, sink }) => {
      const group = sinkGroupName(sink);
      if (await isDeadFor(redis, shard, sink, hash)) return { sink, state: 'dead' as const };
      const lastDelivered = String(fields.get('last-delivered-id') ?? '0-0');
      const id = entryId ?? `${firstSeenMs}-0`;
      if (compareIds(id, lastDelivered) > 0) return { sink, state: 'pending' as const };
      if (entryId === undefined) return { sink, state: 'delivered' as const };
      const pending = await redis.sendCommand<unknown[]>(['XPENDING', stream, group, entryId, entryId, '1']);
      return { sink, state: pending.length > 0 ? ('pending' as const) : ('delivered' as const) };
    }),
  );
}
