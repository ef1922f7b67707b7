import { DEFAULT_INDEX_CAPACITY } from '@ddup/store';
import type { ConsumerPoolSettings } from '../src/consumer-pool.ts';

/** A pool's settings for a test against the Redis at `redisUrl`: small batches, short waits, one shard, and `overrides`. */
export function testPoolSettings(redisUrl: string, overrides: Partial<ConsumerPoolSettings> = {}): ConsumerPoolSettings {
  return {
    redis: { kind: 'single', url: redisUrl },
    shards: 1,
    indexCapacity: DEFAULT_INDEX_CAPACITY,
    windowSeconds: 3_600,
    concurrency: 2,
    batchSize: 50,
    blockMs: 200,
    idlePollMs: 20,
    lingerMs: 10,
    consumerName: 'test',
    commandTimeoutMs: 2_000,
    claimIdleMs: 30_000,
    claimIntervalMs: 5_000,
    maxDeliveries: 5,
    retentionSeconds: 86_400,
    trimIntervalMs: 60_000,
    ...overrides,
  };
}
