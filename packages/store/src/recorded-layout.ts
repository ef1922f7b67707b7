import { INDEX_LAYOUT_KEY, SHARD_COUNT_KEY } from './names.ts';
import type { RedisCommandSender } from './script-runner.ts';

/** The STREAM_SHARDS and INDEX_CAPACITY the data in a Redis was written with (ddup:meta:*). */
export interface RecordedLayout {
  readonly shardCount: number;
  readonly indexCapacity: number;
}

/**
 * The layout a service recorded on first start, or undefined when none is recorded yet (nothing
 * ever ran on this Redis) or it cannot be read (written by a version before the compact index).
 * For tools that read the data without settings of their own, such as `ddup lookup`.
 */
export async function readRecordedLayout(redis: RedisCommandSender): Promise<RecordedLayout | undefined> {
  const [shards, index] = await Promise.all([
    redis.sendCommand<string | null>(['GET', SHARD_COUNT_KEY]),
    redis.sendCommand<string | null>(['GET', INDEX_LAYOUT_KEY]),
  ]);
  // `packed-records-v1 buckets=<per shard> capacity=<INDEX_CAPACITY>`
  const capacity = Number(/(?:^| )capacity=(\d+)(?: |$)/.exec(index ?? '')?.[1]);
  const shardCount = Number(shards);
  if (shards === null || !Number.isInteger(shardCount) || shardCount < 1 || !Number.isInteger(capacity) || capacity < 1) return undefined;
  return { shardCount, indexCapacity: capacity };
}
