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
  const defaultSpace = (windowSeconds: number) => [{ windowSeconds }];

  it('is exact when every bucket is sampled, and forgets what left the window', async () => {
    const store = new Store({ shardCount: 2, indexCapacity: 2 * 128 * 8, windowSeconds: 3600 });
    const layout = indexLayoutOf(2, 2 * 128 * 8);
    await admitMany(store, 300, 'x');
    expect(await estimateRememberedEvents(redis.client, layout, defaultSpace(3600))).toBe(300);
    // With a zero window every record is already out of it (a second after its own second).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await estimateRememberedEvents(redis.client, layout, defaultSpace(0))).toBe(0);
  });

  it('counts exactly when the keyspace is small, given a connection that reaches every master', async () => {
    const capacity = 10_000_000;
    const layout = indexLayoutOf(2, capacity);
    const store = new Store({ shardCount: 2, indexCapacity: capacity, windowSeconds: 3600 });
    await admitMany(store, 26, 'few-');
    await admitMany(store.forTenant('acme', { windowSeconds: 7200 }), 9, 'acme-few-');
    // The one server is the one master (as RedisCommands.sendToEachMaster answers on one node).
    const everyMaster = {
      sendCommand: <T>(args: readonly (string | Buffer)[]) => redis.client.sendCommand(args as (string | Buffer)[]) as Promise<T>,
      sendToEachMaster: async <T>(args: readonly (string | Buffer)[]) => [(await redis.client.sendCommand(args as (string | Buffer)[])) as T],
    };
    // 26 events over 156,250 buckets: a sample of 2,048 a shard finds none or a few.
    expect(await estimateRememberedEvents(everyMaster, layout, defaultSpace(3600))).toBe(26);
    expect(await estimateRememberedEvents(everyMaster, layout, [{ tenant: 'acme', windowSeconds: 7200 }])).toBe(9);
    expect(await estimateRememberedEvents(everyMaster, layout, [...defaultSpace(3600), { tenant: 'acme', windowSeconds: 7200 }])).toBe(35);
    // Each space within its own window: none of the default space's is left after a zero window.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await estimateRememberedEvents(everyMaster, layout, [...defaultSpace(0), { tenant: 'acme', windowSeconds: 7200 }])).toBe(9);
  });

  it('scales a sample up to all buckets, growing the sample where the index is sparse', async () => {
    const capacity = 1_000_000;
    const store = new Store({ shardCount: 1, indexCapacity: capacity, windowSeconds: 3600 });
    const layout = indexLayoutOf(1, capacity);
    await admitMany(store, 4_000, 'y');
    const estimate = await estimateRememberedEvents(redis.client, layout, defaultSpace(3600));
    // 32 of 7,813 buckets hold ~16 of the 4,000 events (what a fixed sample saw: 0 to 16,000);
    // grown to 512, ~260 of them: within ~6 % at one standard deviation.
    console.info(`[estimate] 4,000 events in 7,813 buckets: ${estimate}`);
    expect(estimate).toBeGreaterThan(4_000 * 0.75);
    expect(estimate).toBeLessThan(4_000 * 1.25);
  });

  it('is close on a nearly empty index of the default size, and counts each tenant space given', async () => {
    const capacity = 10_000_000;
    const layout = indexLayoutOf(4, capacity);
    const store = new Store({ shardCount: 4, indexCapacity: capacity, windowSeconds: 3600 });
    await admitMany(store.forTenant('acme', { windowSeconds: 7200 }), 700, 'acme-');
    await admitMany(store.forTenant('globex'), 100, 'globex-');
    const acme = await estimateRememberedEvents(redis.client, layout, [{ tenant: 'acme', windowSeconds: 7200 }]);
    // 700 events over 78,128 buckets: the sample grows to 2,048 of 19,532 per shard (~73 records).
    console.info(`[estimate] 700 events in 78,128 buckets: ${acme}`);
    expect(acme).toBeGreaterThan(700 * 0.6);
    expect(acme).toBeLessThan(700 * 1.4);
    expect(await estimateRememberedEvents(redis.client, layout, defaultSpace(3600))).toBe(0);
    // One sample over both spaces (half of it in each): the same fixed offset, so the figure is repeatable.
    const both = await estimateRememberedEvents(
      redis.client,
      layout,
      [
        { tenant: 'acme', windowSeconds: 7200 },
        { tenant: 'globex', windowSeconds: 3600 },
      ],
      0.5,
    );
    console.info(`[estimate] 700 + 100 events in two spaces of 78,128 buckets: ${both}`);
    expect(both).toBeGreaterThan(800 * 0.6);
    expect(both).toBeLessThan(800 * 1.4);
  });
});
