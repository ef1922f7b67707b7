/**
 * admit-batch-var.lua: the contract in its header, through Store.admitShardBatch (the store builds
 * the script's KEYS and ARGV; the script itself is not exported from @ddup/store).
 */
import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, admitScript, eventsStreamKey, runScript } from '@ddup/store';
import { rememberedEvent, testStore, useTestRedis } from '@ddup/test-utils';

const test = useTestRedis({ flushAfterEach: true });
const stream = eventsStreamKey(0);
const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);
const WINDOW_SECONDS = 60;
const store = testStore({ windowSeconds: WINDOW_SECONDS });

describe('admit-batch-var.lua', () => {
  it('admits each new hash, and answers a hash repeated within the same call as a pending duplicate', async () => {
    const reply = await store.admitShardBatch(test.client, 0, [
      { hash: hashA, canonical: '{"a": 1}' },
      { hash: hashB, canonical: '{"b": 2}' },
      { hash: hashA, canonical: '{"a": 1}' },
    ]);
    expect(reply).toEqual([
      { outcome: 'accepted', hash: hashA, id: expect.stringMatching(/^\d+-\d+$/) },
      { outcome: 'accepted', hash: hashB, id: expect.stringMatching(/^\d+-\d+$/) },
      { outcome: 'duplicate', hash: hashA, state: 'pending', firstSeenMs: expect.any(Number) },
    ]);
    const entries = await test.client.xRange(stream, '-', '+');
    expect((entries ?? []).map((entry) => entry.message)).toEqual([
      { hash: hashA, event: '{"a": 1}' },
      { hash: hashB, event: '{"b": 2}' },
    ]);
    expect((entries ?? []).map((entry) => entry.id)).toEqual(reply.slice(0, 2).map((result) => (result.outcome === 'accepted' ? result.id : '')));
    const remembered = await rememberedEvent(test.client, hashA, { windowSeconds: WINDOW_SECONDS });
    expect((remembered?.expiresMs ?? 0) - Date.now()).toBeGreaterThan(55_000);
  });

  it('answers duplicates with the state the index holds for them', async () => {
    // 'processed' through the real path: admitted, then confirmed by a worker.
    const workers = new StreamGroup(CONSUMER_GROUP, [stream]);
    await workers.ensure(test.client, '$');
    const admitted = await store.admit(test.client, { hash: hashA, canonical: '{}' });
    if (admitted.outcome !== 'accepted') throw new Error(`expected acceptance, got ${admitted.outcome}`);
    await workers.read(test.client, 'worker', [[stream, NEW_ENTRIES]]);
    expect(await store.confirm(test.client, stream, [{ id: admitted.id, hash: hashA }], [admitted.id])).toBe(1);

    expect(await store.admitShardBatch(test.client, 0, [{ hash: hashA, canonical: '{}' }])).toEqual([
      { outcome: 'duplicate', hash: hashA, state: 'processed', firstSeenMs: expect.any(Number) },
    ]);
    // Nothing appended for the duplicate.
    expect(await test.client.xLen(stream)).toBe(1);
  });

  it('takes an empty batch, and refuses an event of another shard before sending anything', async () => {
    expect(await store.admitShardBatch(test.client, 0, [])).toEqual([]);
    // The script's own check (`expected 1 + n (or 1 + 2n) keys and 1 + 2n arguments`) cannot be
    // reached from here: the store builds KEYS and ARGV from the events, so they always pair up, and
    // the script is not exported. What the store refuses instead is an event of the wrong shard.
    const twoShards = testStore({ shardCount: 2, windowSeconds: WINDOW_SECONDS });
    const ofShard1 = [hashA, hashB].find((hash) => twoShards.shardOf(hash) === 1);
    if (ofShard1 === undefined) throw new Error('expected one of the test hashes in shard 1 of 2');
    await expect(twoShards.admitShardBatch(test.client, 0, [{ hash: ofShard1, canonical: '{}' }])).rejects.toThrow(RangeError);
    expect(await test.client.exists(stream)).toBe(0);
  });

  it('is loaded again (EVAL) after SCRIPT FLUSH', async () => {
    await test.client.scriptFlush();
    expect(await store.admitShardBatch(test.client, 0, [{ hash: hashB, canonical: '{}' }])).toEqual([
      { outcome: 'accepted', hash: hashB, id: expect.any(String) },
    ]);
  });

  it('states the key count per call, and refuses a mismatch before sending anything', async () => {
    // With admitScript, the exported script loaded the same way (a `-var.lua` script).
    expect(admitScript.withKeyCount(3).numberOfKeys).toBe(3);
    await expect(
      runScript(test.client, admitScript.withKeyCount(3), [store.bucketKeyOf(hashA), stream], [String(WINDOW_SECONDS), hashA, '{}']),
    ).rejects.toThrow(TypeError);
    expect(await test.client.exists(stream)).toBe(0);
  });
});
