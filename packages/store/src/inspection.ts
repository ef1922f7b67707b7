import { type IndexLayout, indexBucketKey } from './index-layout.ts';
import { CONSUMER_GROUP, deadLetterStreamKey, eventsStreamKey } from './names.ts';
import { type RedisCommandSender, runScript } from './script-runner.ts';
import { countLiveScript } from './scripts.ts';

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

/** A flat `[name, value, name, value, ...]` reply (XINFO) as a map. */
function fieldsOf(reply: Reply): Map<string, Reply> {
  const fields = new Map<string, Reply>();
  if (!Array.isArray(reply)) return fields;
  for (let k = 0; k + 1 < reply.length; k += 2) fields.set(String(reply[k]), reply[k + 1]);
  return fields;
}

function numberOf(value: Reply): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/** The Unix ms in a stream id (`<ms>-<seq>`). */
function idMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** XINFO STREAM, or undefined when the stream does not exist yet (nothing admitted to the shard). */
async function streamInfo(redis: RedisCommandSender, stream: string): Promise<Map<string, Reply> | undefined> {
  try {
    return fieldsOf(await redis.sendCommand<Reply>(['XINFO', 'STREAM', stream]));
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) return undefined;
    throw error;
  }
}

/** XINFO CONSUMERS of the group; none when the group does not exist yet (no consumer started). */
async function groupConsumers(redis: RedisCommandSender, stream: string): Promise<Reply[]> {
  try {
    return await redis.sendCommand<Reply[]>(['XINFO', 'CONSUMERS', stream, CONSUMER_GROUP]);
  } catch (error) {
    if (error instanceof Error && /NOGROUP/.test(error.message)) return [];
    throw error;
  }
}

async function inspectShard(redis: RedisCommandSender, shard: number, nowMs: number): Promise<ShardInspection> {
  const stream = eventsStreamKey(shard);
  const deadLetterStream = deadLetterStreamKey(shard);
  const [stats, deadLetters] = await Promise.all([streamInfo(redis, stream), redis.sendCommand<number>(['XLEN', deadLetterStream])]);
  const base = { shard, stream, group: CONSUMER_GROUP, deadLetterStream, deadLetters: numberOf(deadLetters) };
  if (stats === undefined) return { ...base, length: 0, entriesAdded: 0, pending: 0, lag: 0, oldestPendingAgeMs: null, consumers: [] };
  const groups = (await redis.sendCommand<Reply[]>(['XINFO', 'GROUPS', stream])).map(fieldsOf);
  const group = groups.find((fields) => fields.get('name') === CONSUMER_GROUP);
  const length = numberOf(stats.get('length'));
  // Without the group nothing was delivered: every entry in the stream is lag.
  if (group === undefined)
    return { ...base, length, entriesAdded: numberOf(stats.get('entries-added')), pending: 0, lag: length, oldestPendingAgeMs: null, consumers: [] };
  const [consumers, summary] = await Promise.all([groupConsumers(redis, stream), redis.sendCommand<Reply[]>(['XPENDING', stream, CONSUMER_GROUP])]);
  const lag = group.get('lag');
  const oldest = summary[1];
  return {
    ...base,
    length,
    entriesAdded: numberOf(stats.get('entries-added')),
    pending: numberOf(group.get('pending')),
    lag: lag === null || lag === undefined ? null : numberOf(lag),
    oldestPendingAgeMs: typeof oldest === 'string' ? Math.max(0, nowMs - idMs(oldest)) : null,
    consumers: consumers.map(fieldsOf).map((fields) => ({
      name: String(fields.get('name')),
      pending: numberOf(fields.get('pending')),
      idleMs: numberOf(fields.get('idle')),
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

/** Buckets read per shard for the estimate: enough for a few percent of error, cheap enough for a page refresh. */
export const SAMPLED_BUCKETS_PER_SHARD = 32;

/**
 * About how many events the index remembers (within the window): the live records of up to
 * SAMPLED_BUCKETS_PER_SHARD buckets per shard, spread evenly, scaled up to all buckets. Events
 * spread uniformly over buckets (the bucket is hash bits), so the sample is fair; exact when a
 * shard has no more buckets than that.
 */
export async function estimateRememberedEvents(redis: RedisCommandSender, layout: IndexLayout, windowSeconds: number): Promise<number> {
  const sampled = Math.min(layout.bucketsPerShard, SAMPLED_BUCKETS_PER_SHARD);
  const step = layout.bucketsPerShard / sampled;
  const perShard = await Promise.all(
    Array.from({ length: layout.shardCount }, async (_, shard) => {
      const keys = Array.from({ length: sampled }, (_, k) => indexBucketKey(shard, Math.floor(k * step)));
      return runScript<number>(redis, countLiveScript.withKeyCount(keys.length), keys, [String(windowSeconds)]);
    }),
  );
  const live = perShard.reduce((sum, count) => sum + count, 0);
  return Math.round((live * layout.bucketsPerShard) / sampled);
}
