import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestRedis } from '@ddup/test-utils';
import { CONSUMER_GROUP, Store, estimateRememberedEvents, eventsStreamKey, indexLayoutOf, inspectShards } from '../src/index.ts';

const redis = useTestRedis({ flushAfterEach: true });

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function admitMany(store: Store, count: number, prefix: string): Promise<void> {
  for (let n = 0; n < count; n++) await store.admit(redis.client, { hash: hashOf(`${prefix}${n}`), canonical: `{"n":${n}}` });
}

describe('inspectShards', () => {
  it('reads an empty deployment (no streams, no group) as zeros', async () => {
    const shards = await inspectShards(redis.client, 2);
    expect(shards).toEqual(
      [0, 1].map((shard) => expect.objectContaining({ shard, stream: eventsStreamKey(shard), length: 0, pending: 0, lag: 0, deadLetters: 0, consumers: [] })),
    );
  });

  it('counts length, lag, pending, the oldest pending age and each consumer, as XINFO does', async () => {
    const store = new Store({ shardCount: 1, indexCapacity: 1_000, windowSeconds: 3600 });
    await admitMany(store, 5, 'e');
    const stream = eventsStreamKey(0);
    expect((await inspectShards(redis.client, 1))[0]).toMatchObject({ length: 5, entriesAdded: 5, lag: 5, pending: 0, consumers: [] });

    await redis.client.sendCommand(['XGROUP', 'CREATE', stream, CONSUMER_GROUP, '0']);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', CONSUMER_GROUP, 'worker-1', 'COUNT', '3', 'STREAMS', stream, '>']);
    const now = Date.now();
    const [shard] = await inspectShards(redis.client, 1, now + 60_000);
    expect(shard).toMatchObject({ length: 5, lag: 2, pending: 3, deadLetters: 0 });
    expect(shard?.consumers).toEqual([{ name: 'worker-1', pending: 3, idleMs: expect.any(Number) }]);
    // The oldest pending entry was admitted just before `now`; inspected a minute later.
    expect(shard?.oldestPendingAgeMs).toBeGreaterThanOrEqual(60_000);
    expect(shard?.oldestPendingAgeMs).toBeLessThan(70_000);
  });
});

describe('estimateRememberedEvents', () => {
  it('is exact when every bucket is sampled, and forgets what left the window', async () => {
    const store = new Store({ shardCount: 2, indexCapacity: 2 * 128 * 8, windowSeconds: 3600 });
    const layout = indexLayoutOf(2, 2 * 128 * 8);
    await admitMany(store, 300, 'x');
    expect(await estimateRememberedEvents(redis.client, layout, 3600)).toBe(300);
    // With a zero window every record is already out of it (a second after its own second).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await estimateRememberedEvents(redis.client, layout, 0)).toBe(0);
  });

  it('scales a sample up to all buckets', async () => {
    const capacity = 1_000_000;
    const store = new Store({ shardCount: 1, indexCapacity: capacity, windowSeconds: 3600 });
    const layout = indexLayoutOf(1, capacity);
    await admitMany(store, 4_000, 'y');
    const estimate = await estimateRememberedEvents(redis.client, layout, 3600);
    // 32 of 7,813 buckets hold ~16 of the 4,000 events: a rough but unbiased figure.
    expect(estimate).toBeGreaterThan(0);
    expect(estimate).toBeLessThan(4_000 * 4);
  });
});
