import { INDEX_BUCKET_KEY_PATTERN, type IndexLayout, indexBucketKey, spaceOfIndexBucketKey } from './index-layout.ts';
import { CONSUMER_GROUP, deadLetterStreamKey, eventsStreamKey } from './names.ts';
import { type RedisArgument, type RedisCommandSender, runScript } from './script-runner.ts';
import { countLiveScript } from './scripts.ts';
import { StreamGroup, groupsOfStream } from './streams/consumer-group.ts';
import { fieldsOf } from './streams/flat-reply.ts';
import { entryTimeMs } from './streams/stream-entry.ts';

/** One consumer of the `ddup-workers` group on one shard's stream, as `XINFO CONSUMERS` shows it. */
export interface ConsumerInspection {
  readonly name: string;
  /** Entries delivered to it and not acknowledged yet. */
  readonly pending: number;
  /** Milliseconds since its last attempted interaction (read, claim). */
  readonly idleMs: number;
}

/** One shard: its events stream and the `ddup-workers` group on it. */
export interface ShardInspection {
  readonly shard: number;
  /** The names as `redis-cli XINFO` takes them. */
  readonly stream: string;
  readonly group: string;
  readonly deadLetterStream: string;
  /** Entries in the stream now (acknowledged ones stay until trimmed). */
  readonly length: number;
  /** Entries ever added (XINFO STREAM `entries-added`). */
  readonly entriesAdded: number;
  /** Delivered to a consumer, not acknowledged yet. */
  readonly pending: number;
  /** Not delivered to any consumer yet; null when Redis cannot tell (after XDEL or XSETID). */
  readonly lag: number | null;
  /** How long ago the oldest pending entry was admitted (from its id), or null when none is pending. */
  readonly oldestPendingAgeMs: number | null;
  readonly deadLetters: number;
  readonly consumers: readonly ConsumerInspection[];
}

type Reply = unknown;

function numberOf(value: Reply): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/** XINFO STREAM, or undefined when the stream does not exist yet (nothing admitted to the shard). */
async function streamInfo(redis: RedisCommandSender, stream: string): Promise<Record<string, Reply> | undefined> {
  try {
    return fieldsOf(await redis.sendCommand<Reply>(['XINFO', 'STREAM', stream]));
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) return undefined;
    throw error;
  }
}

async function inspectShard(redis: RedisCommandSender, shard: number, nowMs: number): Promise<ShardInspection> {
  const stream = eventsStreamKey(shard);
  const workers = new StreamGroup(CONSUMER_GROUP, [stream]);
  const deadLetterStream = deadLetterStreamKey(shard);
  const [stats, deadLetters] = await Promise.all([streamInfo(redis, stream), redis.sendCommand<number>(['XLEN', deadLetterStream])]);
  const base = { shard, stream, group: CONSUMER_GROUP, deadLetterStream, deadLetters: numberOf(deadLetters) };
  if (stats === undefined) return { ...base, length: 0, entriesAdded: 0, pending: 0, lag: 0, oldestPendingAgeMs: null, consumers: [] };
  const group = (await groupsOfStream(redis, stream)).find((fields) => fields.name === CONSUMER_GROUP);
  const length = numberOf(stats.length);
  // Without the group nothing was delivered: every entry in the stream is lag.
  if (group === undefined)
    return { ...base, length, entriesAdded: numberOf(stats['entries-added']), pending: 0, lag: length, oldestPendingAgeMs: null, consumers: [] };
  const [consumers, summary] = await Promise.all([workers.consumers(redis, stream), workers.pendingSummary(redis, stream)]);
  const lag = group.lag;
  const oldest = summary.oldestId;
  return {
    ...base,
    length,
    entriesAdded: numberOf(stats['entries-added']),
    pending: numberOf(group.pending),
    lag: lag === null || lag === undefined ? null : numberOf(lag),
    oldestPendingAgeMs: oldest === null ? null : Math.max(0, nowMs - entryTimeMs(oldest)),
    consumers: consumers.map((fields) => ({
      name: String(fields.name),
      pending: numberOf(fields.pending),
      idleMs: numberOf(fields.idle),
    })),
  };
}

/**
 * Every shard's stream, group, consumers and dead letters: what `ddup inspect`, the dashboard and
 * the gateway's scrape-time gauges show, read in one place. A shard whose stream does not exist
 * yet reads as empty.
 */
export async function inspectShards(redis: RedisCommandSender, shardCount: number, nowMs = Date.now()): Promise<ShardInspection[]> {
  return Promise.all(Array.from({ length: shardCount }, (_, shard) => inspectShard(redis, shard, nowMs)));
}

/** The buckets a first look reads per shard (over all dedup spaces). */
export const FIRST_SAMPLE_BUCKETS = 32;
/** Most buckets read per shard (over all dedup spaces), when the index is so sparse that fewer find too few records. */
export const MAX_SAMPLE_BUCKETS = 2_048;
/**
 * Most buckets the final samples of one estimate read over all shards (the rounds before add at
 * most a third: 32 + 128 + 512 before 2,048); the gateway reads at most once a second. Measured:
 * 6 ms of Redis time for an empty index of 4 shards (the worst case: every sample grows to its
 * limit), 4 ms at 20,000 events; 15–18 ms with 5,000 tenants' keys on a busy machine
 * (apps/gateway/test/store-reads.test.ts).
 */
export const SAMPLE_BUDGET_BUCKETS = 8_192;
/**
 * Most buckets one script call reads: ~1 ms of Redis's time, so admissions wait no longer than
 * that behind an estimate (a call of 2,048 buckets held Redis for ~5 ms).
 */
export const BUCKETS_PER_CALL = 512;
/**
 * Most script calls one estimate makes per shard, whatever the number of tenants: rounds of 32,
 * 128, 512 and 2,048 buckets, the last in 4 calls.
 */
export const MAX_SAMPLE_CALLS = 7;
/** Live records a sample should find for a figure within ~10 %: below that the sample grows, ×4 a round. */
const ENOUGH_RECORDS = 100;

/** A dedup space to count: the default one (no tenant) or a tenant's, with the window it keeps. */
export interface RememberedSpace {
  readonly tenant?: string;
  readonly windowSeconds: number;
}

/**
 * `count` (space, bucket) pairs of one shard, spread evenly over all of them (spaces × buckets,
 * space by space) from `offset` (in [0, 1): where in the first step the spread starts); every pair
 * when `count` covers them all.
 */
function samplePairs(spaces: number, buckets: number, count: number, offset: number): [space: number, bucket: number][] {
  const all = spaces * buckets;
  if (count >= all) return Array.from({ length: all }, (_, k) => [Math.floor(k / buckets), k % buckets]);
  const step = all / count;
  return Array.from({ length: count }, (_, k) => {
    const at = Math.floor((k + offset) * step);
    return [Math.floor(at / buckets), at % buckets];
  });
}

/**
 * One shard over every space: one script call per round with a sample of evenly spread (space,
 * bucket) pairs, each counted within its own space's window, grown ×4 until it finds enough
 * records (at most MAX_SAMPLE_CALLS calls), then scaled up to all pairs.
 */
async function estimateShard(
  redis: RedisCommandSender,
  layout: IndexLayout,
  shard: number,
  spaces: readonly RememberedSpace[],
  most: number,
  offset: number,
): Promise<number> {
  const all = spaces.length * layout.bucketsPerShard;
  const limit = Math.min(all, most);
  let count = Math.min(limit, FIRST_SAMPLE_BUCKETS);
  for (;;) {
    const pairs = samplePairs(spaces.length, layout.bucketsPerShard, count, offset);
    const keys = pairs.map(([space, bucket]) => indexBucketKey(shard, bucket, spaces[space]?.tenant));
    const windows = pairs.map(([space]) => String(spaces[space]?.windowSeconds ?? 0));
    let live = 0;
    // One call after the other, so that admissions get in between.
    for (let from = 0; from < keys.length; from += BUCKETS_PER_CALL) {
      const part = keys.slice(from, from + BUCKETS_PER_CALL);
      live += await runScript<number>(redis, countLiveScript.withKeyCount(part.length), part, windows.slice(from, from + BUCKETS_PER_CALL));
    }
    if (live >= ENOUGH_RECORDS || count >= limit) return (live * all) / count;
    count = Math.min(limit, count * 4);
  }
}

/** A connection that can send a command to every master (a single server is its one master). */
export interface EachMasterSender {
  sendToEachMaster<T = unknown>(args: readonly RedisArgument[]): Promise<T[]>;
}

function reachesEveryMaster(redis: RedisCommandSender): redis is RedisCommandSender & EachMasterSender {
  return typeof (redis as Partial<EachMasterSender>).sendToEachMaster === 'function';
}

/**
 * Index keys few enough to count one by one rather than sample: a young or small index (26 events
 * among 78,125 buckets a shard would all but escape a sample of 2,048).
 */
export const EXACT_COUNT_MAX_KEYS = 4_096;

/**
 * The events the index remembers, counted exactly, when every master holds at most
 * EXACT_COUNT_MAX_KEYS keys in all: one SCAN a master (its COUNT covers the whole keyspace), then
 * the live records of each bucket key found, within its own space's window (keys of spaces not
 * given, e.g. a tenant no longer in the file, are left out). Undefined when the keyspace is larger
 * or a SCAN did not cover it in one call: then the estimate samples.
 */
async function countExactly(redis: RedisCommandSender & EachMasterSender, spaces: readonly RememberedSpace[]): Promise<number | undefined> {
  const sizes = await redis.sendToEachMaster<number>(['DBSIZE']);
  if (sizes.some((size) => Number(size) > EXACT_COUNT_MAX_KEYS)) return undefined;
  const scans = await redis.sendToEachMaster<[string, string[]]>(['SCAN', '0', 'MATCH', INDEX_BUCKET_KEY_PATTERN, 'COUNT', String(4 * EXACT_COUNT_MAX_KEYS)]);
  if (scans.some(([cursor]) => String(cursor) !== '0')) return undefined;
  const windows = new Map(spaces.map((space) => [space.tenant, String(space.windowSeconds)]));
  const byShard = new Map<number, { keys: string[]; windows: string[] }>();
  for (const [, keys] of scans) {
    for (const key of keys) {
      const space = spaceOfIndexBucketKey(key);
      const window = space && windows.get(space.tenant);
      if (space === undefined || window === undefined) continue;
      const shard = byShard.get(space.shard) ?? { keys: [], windows: [] };
      shard.keys.push(key);
      shard.windows.push(window);
      byShard.set(space.shard, shard);
    }
  }
  let live = 0;
  // A shard's keys share its slot: one call each, in parts of BUCKETS_PER_CALL.
  for (const { keys, windows: perKey } of byShard.values()) {
    for (let from = 0; from < keys.length; from += BUCKETS_PER_CALL) {
      const part = keys.slice(from, from + BUCKETS_PER_CALL);
      live += await runScript<number>(redis, countLiveScript.withKeyCount(part.length), part, perKey.slice(from, from + BUCKETS_PER_CALL));
    }
  }
  return live;
}

/**
 * About how many events the index remembers (within each space's window), over the given dedup
 * spaces. Per shard, the live records of a sample of (space, bucket) pairs spread evenly over all
 * of them, scaled up: events spread uniformly over a space's buckets (the bucket is hash bits), so
 * within a space any bucket is as good as another. The cost is fixed whatever the number of
 * spaces (tenants): at most MAX_SAMPLE_CALLS script calls per shard, of at most
 * SAMPLE_BUDGET_BUCKETS buckets over all shards. With more spaces than a sample has buckets, only
 * some spaces are looked at in one estimate; where the sample starts moves at random from one
 * estimate to the next, so the figure is right on average but jumps when a few tenants hold
 * most events. Exact when every pair fits in the sample, and, given a connection that reaches
 * every master, when the keyspace is small (countExactly).
 */
export async function estimateRememberedEvents(
  redis: RedisCommandSender,
  layout: IndexLayout,
  spaces: readonly RememberedSpace[],
  /** Where in [0, 1) of the first step the sample starts: at random unless given (a test's repeatable figure). */
  offset = Math.random(),
): Promise<number> {
  if (spaces.length === 0) return 0;
  if (reachesEveryMaster(redis)) {
    const exact = await countExactly(redis, spaces);
    if (exact !== undefined) return exact;
  }
  const most = Math.max(1, Math.min(MAX_SAMPLE_BUCKETS, Math.floor(SAMPLE_BUDGET_BUCKETS / layout.shardCount)));
  const perShard = await Promise.all(Array.from({ length: layout.shardCount }, (_, shard) => estimateShard(redis, layout, shard, spaces, most, offset)));
  return Math.round(perShard.reduce((sum, count) => sum + count, 0));
}
