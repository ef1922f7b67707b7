import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import {
  CONSUMER_GROUP,
  deadLetterStreamKey,
  eventsStreamKey,
  idempotencyKeyName,
  idempotencyKeyPattern,
  shardOfEventsStreamKey,
  shardTag,
  spaceOfIdempotencyKeyName,
} from './names.ts';
import { DEFAULT_INDEX_CAPACITY, bucketOf, indexBucketKey, indexLayoutOf } from './index-layout.ts';
import { shardOf } from './shard.ts';
import { Store } from './store.ts';

const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('key names', () => {
  it("give an Idempotency-Key record's shard and tenant back, and match a tenant's records by pattern", () => {
    const digest = 'ab'.repeat(32);
    expect(spaceOfIdempotencyKeyName(idempotencyKeyName(3, digest, 'acme'))).toEqual({ shard: 3, tenant: 'acme' });
    expect(spaceOfIdempotencyKeyName(idempotencyKeyName(0, digest))).toEqual({ shard: 0, tenant: undefined });
    expect(spaceOfIdempotencyKeyName(eventsStreamKey(0))).toBeUndefined();
    expect(idempotencyKeyPattern('acme')).toBe('ddup:*:t:acme:ik:*');
  });

  it('are the documented, stable names operators inspect', () => {
    expect(eventsStreamKey(0)).toBe('ddup:{s00}:events');
    expect(deadLetterStreamKey(7)).toBe('ddup:{s07}:dead');
    expect(indexBucketKey(12, 5)).toBe('ddup:{s12}:ix:5');
    expect(shardTag(255)).toBe('{s255}');
    expect(CONSUMER_GROUP).toBe('ddup-workers');
  });

  it('puts every key of one event in one cluster slot', () => {
    for (const shardCount of [1, 3, 16, 256]) {
      const shard = shardOf(hash, shardCount);
      const slot = calculateSlot(eventsStreamKey(shard));
      const store = new Store({ shardCount, indexCapacity: DEFAULT_INDEX_CAPACITY, windowSeconds: 3600 });
      const bucket = bucketOf(hash, indexLayoutOf(shardCount, DEFAULT_INDEX_CAPACITY).bucketsPerShard);
      expect(store.bucketKeyOf(hash)).toBe(indexBucketKey(shard, bucket));
      expect(calculateSlot(indexBucketKey(shard, bucket))).toBe(slot);
      expect(calculateSlot(store.bucketKeyOf(hash))).toBe(slot);
      expect(calculateSlot(deadLetterStreamKey(shard))).toBe(slot);
    }
  });

  it('spreads 16 shards over more than one slot range', () => {
    const slots = new Set(Array.from({ length: 16 }, (_, s) => calculateSlot(eventsStreamKey(s))));
    expect(slots.size).toBe(16);
  });

  it('reads the shard back from an events stream key', () => {
    expect(shardOfEventsStreamKey('ddup:{s03}:events')).toBe(3);
    expect(shardOfEventsStreamKey('ddup:{s03}:dead')).toBeUndefined();
  });
});

describe('shardOf', () => {
  it('takes the leading 32 bits of the hash modulo the count', () => {
    expect(shardOf(hash, 1)).toBe(0);
    expect(shardOf(hash, 16)).toBe(0xe3b0c442 % 16);
    expect(shardOf(hash, 3)).toBe(0xe3b0c442 % 3);
  });

  it('rejects a hash that is not hex', () => {
    expect(() => shardOf('zz', 4)).toThrow(TypeError);
  });
});
