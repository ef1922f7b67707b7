import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTestRedis } from '@ddup/test-utils';
import {
  BUCKET_HEADER_BYTES,
  INDEX_LAYOUT_KEY,
  LayoutMismatchError,
  RECORD_BYTES,
  SHARD_COUNT_KEY,
  Store,
  type StoreSettings,
  checkLayout,
  eventsStreamKey,
  indexLayoutOf,
} from '../src/index.ts';

const redis = useTestRedis({ flushAfterEach: true });

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One bucket per shard unless said otherwise: every event shares it, so bucket scans are exercised. */
function storeWith(settings: Partial<StoreSettings> = {}): Store {
  return new Store({ shardCount: 1, indexCapacity: 1, windowSeconds: 3600, ...settings });
}

async function indexKeys(): Promise<string[]> {
  return redis.client.keys('ddup:*:ix:*');
}

/** MEMORY USAGE of every index bucket: key, value and their allocations. */
async function indexMemory(): Promise<number> {
  let total = 0;
  for (const key of await indexKeys()) total += (await redis.client.memoryUsage(key)) ?? 0;
  return total;
}

describe('admission', () => {
  it('admits a new event once; a repeat is a duplicate with its state and the second it was first seen', async () => {
    const store = storeWith();
    const hash = hashOf('a');
    const first = await store.admit(redis.client, { hash, canonical: '{"a":1}' });
    expect(first).toMatchObject({ outcome: 'accepted', hash });
    const id = first.outcome === 'accepted' ? first.id : '';
    const again = await store.admit(redis.client, { hash, canonical: '{"a":1}' });
    const idMs = Number(id.split('-')[0]);
    expect(again).toEqual({ outcome: 'duplicate', hash, state: 'pending', firstSeenMs: idMs - (idMs % 1000) });
    expect(await redis.client.xLen(eventsStreamKey(0))).toBe(1);
  });

  it('gives exactly one acceptance to 50 identical admissions racing', async () => {
    const store = storeWith();
    const hash = hashOf('race');
    const results = await Promise.all(Array.from({ length: 50 }, () => store.admit(redis.client, { hash, canonical: '{}' })));
    expect(results.filter((result) => result.outcome === 'accepted')).toHaveLength(1);
    expect(await redis.client.xLen(eventsStreamKey(0))).toBe(1);
  });

  it('is exact with thousands of events in one bucket: no false duplicate, no missed duplicate', async () => {
    const store = storeWith();
    const hashes = Array.from({ length: 3000 }, (_, i) => hashOf(`bulk-${i}`));
    const admit = () => Promise.all(hashes.map((hash) => store.admit(redis.client, { hash, canonical: '{}' })));
    expect(new Set((await admit()).map((result) => result.outcome))).toEqual(new Set(['accepted']));
    expect(new Set((await admit()).map((result) => result.outcome))).toEqual(new Set(['duplicate']));
    expect(await indexKeys()).toEqual(['ddup:{s00}:ix:0']);
    const length = await redis.client.strLen('ddup:{s00}:ix:0');
    expect((length - BUCKET_HEADER_BYTES) % RECORD_BYTES).toBe(0);
    // Grown by rewrites with an eighth of headroom (plus the allocator's rounding), not doubled.
    expect(length).toBeLessThan(3000 * RECORD_BYTES * 1.3);
  });

  it('matches a fingerprint only at a record boundary, never across two records', async () => {
    const store = storeWith();
    const a = hashOf('boundary');
    const admitted = await store.admit(redis.client, { hash: a, canonical: '{}' });
    if (admitted.outcome !== 'accepted') throw new Error('expected acceptance');
    // Bytes 4..15 of A's record: the end of its fingerprint and its whole time-and-state word.
    const second = Math.floor(Number(admitted.id.split('-')[0]) / 1000);
    const word = ((second % 2147483647) + 1) * 2;
    const straddling = a.slice(16 + 8, 40) + word.toString(16).padStart(8, '0');
    const c = a.slice(0, 16) + straddling + a.slice(40);
    expect(await store.admit(redis.client, { hash: c, canonical: '{}' })).toMatchObject({ outcome: 'accepted' });
  });

  it('tells events apart by shard, bucket and 96 fingerprint bits: hashes equal on those are one event', async () => {
    const store = storeWith();
    const a = hashOf('fingerprint');
    await store.admit(redis.client, { hash: a, canonical: '{}' });
    const flip = (at: number) => a.slice(0, at) + (a[at] === '0' ? '1' : '0') + a.slice(at + 1);
    // One hex digit changed inside the fingerprint (characters 17..40): another event.
    expect((await store.admit(redis.client, { hash: flip(30), canonical: '{}' })).outcome).toBe('accepted');
    // Changed beyond it (the 24 bits past byte 19 are not kept): the same event, by design.
    expect((await store.admit(redis.client, { hash: flip(50), canonical: '{}' })).outcome).toBe('duplicate');
  });

  it('admits a batch of one shard in one call, a repeat inside it a pending duplicate', async () => {
    const store = storeWith({ indexCapacity: 1000 });
    const [a, b] = [hashOf('batch-a'), hashOf('batch-b')];
    await store.admit(redis.client, { hash: b, canonical: '{}' });
    const results = await store.admitShardBatch(redis.client, 0, [
      { hash: a, canonical: '{"n":1}' },
      { hash: b, canonical: '{"n":2}' },
      { hash: a, canonical: '{"n":1}' },
    ]);
    expect(results.map((result) => result.outcome)).toEqual(['accepted', 'duplicate', 'duplicate']);
    expect(results[2]).toMatchObject({ state: 'pending' });
    expect(await redis.client.xLen(eventsStreamKey(0))).toBe(2);
  });

  it('with legacy keys, an existing key named by the bare hash (the Python service) is a duplicate', async () => {
    const hash = hashOf('legacy');
    await redis.client.set(hash, '1', { EX: 600 });
    expect(await storeWith({ legacyKeys: true }).admit(redis.client, { hash, canonical: '{}' })).toEqual({
      outcome: 'duplicate',
      hash,
      state: 'processed',
      firstSeenMs: undefined,
    });
    const batch = await storeWith({ legacyKeys: true }).admitShardBatch(redis.client, 0, [{ hash, canonical: '{}' }]);
    expect(batch[0]).toMatchObject({ outcome: 'duplicate', state: 'processed' });
    expect((await storeWith().admit(redis.client, { hash, canonical: '{}' })).outcome).toBe('accepted');
  });
});

describe('confirmation, lookup and forgetting', () => {
  it('marks the event processed in place, idempotently, and leaves its neighbours pending', async () => {
    const store = storeWith();
    const [a, b] = [hashOf('confirm-a'), hashOf('confirm-b')];
    const admittedA = await store.admit(redis.client, { hash: a, canonical: '{}' });
    await store.admit(redis.client, { hash: b, canonical: '{}' });
    if (admittedA.outcome !== 'accepted') throw new Error('expected acceptance');
    const stream = eventsStreamKey(0);
    await redis.client.xGroupCreate(stream, 'ddup-workers', '0');
    await redis.client.xReadGroup('ddup-workers', 'c', { key: stream, id: '>' });
    const before = await store.lookup(redis.client, a);
    expect(await store.confirm(redis.client, stream, [{ id: admittedA.id, hash: a }], [admittedA.id])).toBe(1);
    expect(await store.confirm(redis.client, stream, [{ id: admittedA.id, hash: a }], [admittedA.id])).toBe(0);
    const after = await store.lookup(redis.client, a);
    expect(after).toEqual({ ...before, state: 'processed' });
    expect((await store.lookup(redis.client, b))?.state).toBe('pending');
    expect(await store.admit(redis.client, { hash: a, canonical: '{}' })).toMatchObject({ outcome: 'duplicate', state: 'processed' });
  });

  it('forgets an event, so the next identical one is accepted, and keeps the others', async () => {
    const store = storeWith();
    const [a, b] = [hashOf('forget-a'), hashOf('forget-b')];
    await store.admit(redis.client, { hash: a, canonical: '{}' });
    await store.admit(redis.client, { hash: b, canonical: '{}' });
    expect(await store.forget(redis.client, a)).toBe(true);
    expect(await store.forget(redis.client, a)).toBe(false);
    expect(await store.lookup(redis.client, a)).toBeUndefined();
    expect((await store.admit(redis.client, { hash: b, canonical: '{}' })).outcome).toBe('duplicate');
    expect((await store.admit(redis.client, { hash: a, canonical: '{}' })).outcome).toBe('accepted');
  });
});

describe('the window', () => {
  it('holds an event for at least the window after its acceptance and at most a second more', async () => {
    const store = storeWith({ windowSeconds: 2 });
    const hash = hashOf('window');
    const admitted = await store.admit(redis.client, { hash, canonical: '{}' });
    if (admitted.outcome !== 'accepted') throw new Error('expected acceptance');
    const acceptedMs = Number(admitted.id.split('-')[0]);
    const remembered = await store.lookup(redis.client, hash);
    expect(remembered?.expiresMs).toBeGreaterThan(acceptedMs + 2000);
    expect(remembered?.expiresMs).toBeLessThanOrEqual(acceptedMs + 3000);
    // The bucket key outlives the record (it holds it).
    expect(await redis.client.pExpireTime(store.bucketKeyOf(hash))).toBeGreaterThanOrEqual(remembered?.expiresMs ?? Number.POSITIVE_INFINITY);
    expect((await store.admit(redis.client, { hash, canonical: '{}' })).outcome).toBe('duplicate');
    await sleep((remembered?.expiresMs ?? 0) - Date.now() + 50);
    expect(await store.lookup(redis.client, hash)).toBeUndefined();
    expect((await store.admit(redis.client, { hash, canonical: '{}' })).outcome).toBe('accepted');
  });

  it('frees the memory of events that left a short window: idle buckets expire whole, busy ones drop their expired records', async () => {
    await redis.client.configSet('hz', '100');
    // Pipelined (node-redis sends concurrent commands together), so all are in well within the window.
    const store = storeWith({ windowSeconds: 2, indexCapacity: 20 * 128 });
    await Promise.all(Array.from({ length: 5000 }, (_, i) => store.admit(redis.client, { hash: hashOf(`leave-${i}`), canonical: '{}' })));
    expect((await indexKeys()).length).toBe(20);
    expect(await indexMemory()).toBeGreaterThan(5000 * RECORD_BYTES);

    // A busy bucket: a new record after the old ones expired rewrites it with the live ones only.
    const busy = storeWith({ windowSeconds: 2, shardCount: 2 });
    const busyHashes = Array.from({ length: 2000 }, (_, i) => hashOf(`busy-${i}`)).filter((hash) => busy.shardOf(hash) === 1);
    await Promise.all(busyHashes.map((hash) => busy.admit(redis.client, { hash, canonical: '{}' })));
    const busyKey = busy.bucketKeyOf(busyHashes[0] as string);
    const busyBefore = await redis.client.memoryUsage(busyKey);
    expect(busyBefore).toBeGreaterThan(busyHashes.length * RECORD_BYTES);
    // A bucket is rewritten once its oldest record left the window more than a quarter window ago:
    // after (first second + 1 s) + 2 s + 0.5 s, i.e. at most 3.5 s after the first admission.
    await sleep(3_600);
    await busy.admit(redis.client, { hash: busyHashes[0] as string, canonical: '{}' });
    expect(await redis.client.strLen(busyKey)).toBeLessThanOrEqual(4 * RECORD_BYTES);
    expect(await redis.client.memoryUsage(busyKey)).toBeLessThan(150);

    // Idle buckets: each key expired with its newest record, and Redis removed it (DBSIZE counts
    // keys that expired but were not yet removed).
    await redis.client.del(busyKey);
    await expect.poll(() => redis.client.dbSize(), { timeout: 10_000 }).toBe(2);
    expect(await indexKeys()).toEqual([]);
    expect(await redis.client.keys('*')).toEqual(expect.arrayContaining([eventsStreamKey(0), eventsStreamKey(1)]));
  });
});

describe('layout guard', () => {
  const layout = indexLayoutOf(2, 1_000_000);

  it('records the shard count and index layout on first start and accepts them again', async () => {
    await checkLayout(redis.client, layout, 1_000_000);
    await checkLayout(redis.client, layout, 1_000_000);
    expect(await redis.client.get(SHARD_COUNT_KEY)).toBe('2');
    expect(await redis.client.get(INDEX_LAYOUT_KEY)).toBe('packed-records-v1 buckets=3907 capacity=1000000');
  });

  it('refuses another INDEX_CAPACITY or STREAM_SHARDS, saying which value to start with', async () => {
    await checkLayout(redis.client, layout, 1_000_000);
    await expect(checkLayout(redis.client, indexLayoutOf(2, 5_000_000), 5_000_000)).rejects.toThrow(/start with INDEX_CAPACITY=1000000/);
    await expect(checkLayout(redis.client, indexLayoutOf(4, 1_000_000), 1_000_000)).rejects.toThrow(/start with STREAM_SHARDS=2/);
  });

  it('checks a Redis out of memory that holds them without writing (which it would refuse)', async () => {
    await checkLayout(redis.client, layout, 1_000_000);
    await redis.client.configSet('maxmemory', '1');
    try {
      await expect(redis.client.set('ddup:test:write', '1')).rejects.toThrow(/OOM/);
      await checkLayout(redis.client, layout, 1_000_000);
      await expect(checkLayout(redis.client, indexLayoutOf(4, 1_000_000), 1_000_000)).rejects.toThrow(/start with STREAM_SHARDS=2/);
    } finally {
      await redis.client.configSet('maxmemory', '0');
    }
  });

  it('refuses data of the per-key layout of earlier versions, saying what to do', async () => {
    await redis.client.set(SHARD_COUNT_KEY, '2');
    const refused = checkLayout(redis.client, layout, 1_000_000);
    await expect(refused).rejects.toBeInstanceOf(LayoutMismatchError);
    await expect(checkLayout(redis.client, layout, 1_000_000)).rejects.toThrow(/ddup:\{sNN\}:seen:<hash>.*delete the old keys/);
    expect(await redis.client.get(INDEX_LAYOUT_KEY)).toBeNull();
  });
});
