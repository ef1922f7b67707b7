import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, deadLetterStreamKey, encodeStreamEntry, eventsStreamKey, readEventEntries } from '@ddup/store';
import { seenState, testStore, useTestRedis } from '@ddup/test-utils';
import { confirmHandler } from './confirm.ts';
import { listDeadLetters, replayDeadLetters } from './dead-letters.ts';
import { reclaimStale } from './reclaim.ts';

const stream = eventsStreamKey(0);
const store = testStore({ windowSeconds: 3_600 });
const confirm = confirmHandler({ store, windowMs: 3_600_000 });
const group = new StreamGroup(CONSUMER_GROUP, [stream]);
const HASH = 'cd'.repeat(32);
const redis = useTestRedis({ flushAfterEach: true });

async function deliverTo(consumer: string) {
  await group.read(redis.client, consumer, [[stream, NEW_ENTRIES]]);
}

async function pendingCount() {
  return (await group.pendingSummary(redis.client, stream)).count;
}

describe('reclaimStale', () => {
  it('takes over entries a dead consumer left pending once they are idle long enough, and confirms them', async () => {
    await group.ensure(redis.client);
    // Admitted as the gateway admits it: the stream entry and its pending record in the index.
    expect((await store.admit(redis.client, { hash: HASH, canonical: '{}' })).outcome).toBe('accepted');
    await deliverTo('dead-one');

    const early = await reclaimStale(redis.client, group, stream, 'rescuer', { minIdleMs: 60_000, maxDeliveries: 5, count: 10 }, confirm);
    expect(early).toEqual({ handled: 0, deadLettered: 0, more: false });
    expect(await pendingCount()).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 120));
    const late = await reclaimStale(redis.client, group, stream, 'rescuer', { minIdleMs: 100, maxDeliveries: 5, count: 10 }, confirm);
    expect(late).toEqual({ handled: 1, deadLettered: 0, more: false });
    expect(await pendingCount()).toBe(0);
    expect(await seenState(redis.client, HASH, { windowSeconds: 3_600 })).toBe('processed');
  });

  it('moves an entry that keeps failing to the dead letters with reason and delivery count, then acknowledges it', async () => {
    await group.ensure(redis.client);
    const poison = await redis.client.sendCommand<string>(['XADD', stream, '*', ...encodeStreamEntry({ event: 'not json at all' })]);
    await deliverTo('first');
    const settings = { minIdleMs: 1, maxDeliveries: 3, count: 10 };
    let dead = 0;
    for (let round = 0; round < 5 && dead === 0; round++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      dead += (await reclaimStale(redis.client, group, stream, 'rescuer', settings, confirm)).deadLettered;
    }
    expect(dead).toBe(1);
    expect(await pendingCount()).toBe(0);
    const [letter] = await listDeadLetters(redis.client, 1, 10);
    expect(letter?.fields).toMatchObject({ source_id: poison, reason: 'no hash field after 3 deliveries', deliveries: '3', event: 'not json at all' });
  });

  it('confirms a valid entry however often it was delivered before: failed deliveries are not its fault', async () => {
    await group.ensure(redis.client);
    expect((await store.admit(redis.client, { hash: HASH, canonical: '{}' })).outcome).toBe('accepted');
    // Re-read from the pending list again and again, as a consumer does after each failed confirm.
    await deliverTo('unlucky');
    for (let i = 0; i < 6; i++) await group.read(redis.client, 'unlucky', [[stream, '0']]);
    const [{ deliveries } = { deliveries: 0 }] = await group.pendingOf(redis.client, stream, 'unlucky', 10);
    expect(deliveries).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await reclaimStale(redis.client, group, stream, 'rescuer', { minIdleMs: 1, maxDeliveries: 3, count: 10 }, confirm);
    expect(result).toEqual({ handled: 1, deadLettered: 0, more: false });
    expect(await pendingCount()).toBe(0);
    expect(await redis.client.xLen(deadLetterStreamKey(0))).toBe(0);
    expect(await seenState(redis.client, HASH, { windowSeconds: 3_600 })).toBe('processed');
  });

  it('replays a dead letter onto the events stream and removes it from the dead letters', async () => {
    await redis.client.sendCommand([
      'XADD',
      deadLetterStreamKey(0),
      '*',
      'source_id',
      '1-1',
      'reason',
      'r',
      'deliveries',
      '5',
      'hash',
      HASH,
      'event',
      '{"a": 1}',
    ]);
    const letters = await listDeadLetters(redis.client, 1, 10);
    const [id] = await replayDeadLetters(redis.client, store, letters);
    expect(await readEventEntries(redis.client, stream)).toEqual([{ id, present: true, hash: HASH, event: '{"a": 1}', tenant: undefined }]);
    expect(await redis.client.xLen(deadLetterStreamKey(0))).toBe(0);
    expect(await replayDeadLetters(redis.client, store, letters)).toEqual([]);
  });
});
