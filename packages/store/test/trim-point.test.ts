import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUP, StreamGroup, eventsStreamKey, sinkGroupName } from '@ddup/store';
import { type TestClient, useTestRedis } from '@ddup/test-utils';
import { compareIds, trimAcknowledged } from '../src/trim-point.ts';

const stream = eventsStreamKey(0);
const HOUR = 3_600_000;
const redis = useTestRedis({ flushAfterEach: true });

/** Entries at fixed times: 10 h, 9 h, ... 1 h ago. */
async function addOldEntries(now: number): Promise<string[]> {
  const ids: string[] = [];
  for (let hoursAgo = 10; hoursAgo >= 1; hoursAgo--) {
    ids.push(await redis.client.sendCommand<string>(['XADD', stream, `${now - hoursAgo * HOUR}-0`, 'hash', 'h', 'event', '{}']));
  }
  return ids;
}

/** The workers' group on `streams` (each created if missing), starting at `0`, as the consumer creates it. */
function ensureConsumerGroup(client: TestClient, streams: readonly string[]): Promise<void> {
  return new StreamGroup(CONSUMER_GROUP, streams).ensure(client);
}

async function ids() {
  return ((await redis.client.xRange(stream, '-', '+')) ?? []).map((entry) => entry.id);
}

describe('trimAcknowledged', () => {
  it('trims acknowledged entries older than the retention, and only those', async () => {
    const now = Date.now();
    const all = await addOldEntries(now);
    await ensureConsumerGroup(redis.client, [stream]);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', CONSUMER_GROUP, 'c', 'STREAMS', stream, '>']);
    await redis.client.sendCommand(['XACK', stream, CONSUMER_GROUP, ...all]);
    expect(await trimAcknowledged(redis.client, stream, 5.5 * HOUR, now)).toBe(5);
    expect(await ids()).toEqual(all.slice(5));
  });

  it('never trims a pending entry, nor anything after it', async () => {
    const now = Date.now();
    const all = await addOldEntries(now);
    await ensureConsumerGroup(redis.client, [stream]);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', CONSUMER_GROUP, 'c', 'STREAMS', stream, '>']);
    // All delivered; all but the 3rd oldest acknowledged.
    await redis.client.sendCommand(['XACK', stream, CONSUMER_GROUP, ...all.filter((_, i) => i !== 2)]);
    expect(await trimAcknowledged(redis.client, stream, 0, now)).toBe(2);
    expect(await ids()).toEqual(all.slice(2));
  });

  it('never trims an entry the group has not been delivered yet', async () => {
    const now = Date.now();
    const all = await addOldEntries(now);
    await ensureConsumerGroup(redis.client, [stream]);
    // Only the 4 oldest delivered and acknowledged.
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', CONSUMER_GROUP, 'c', 'COUNT', '4', 'STREAMS', stream, '>']);
    await redis.client.sendCommand(['XACK', stream, CONSUMER_GROUP, ...all.slice(0, 4)]);
    expect(await trimAcknowledged(redis.client, stream, 0, now)).toBe(4);
    expect(await ids()).toEqual(all.slice(4));
  });

  it('lets a sink’s group hold entries back for sinkHoldMs at most, and any other group for as long as it likes', async () => {
    const now = Date.now();
    const all = await addOldEntries(now);
    await ensureConsumerGroup(redis.client, [stream]);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', CONSUMER_GROUP, 'c', 'STREAMS', stream, '>']);
    await redis.client.sendCommand(['XACK', stream, CONSUMER_GROUP, ...all]);
    // A sink that read the 2 oldest and took neither (down, disabled): held back to 3.5 h only.
    await redis.client.sendCommand(['XGROUP', 'CREATE', stream, sinkGroupName('hooks'), '0']);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', sinkGroupName('hooks'), 'c', 'COUNT', '2', 'STREAMS', stream, '>']);
    expect(await trimAcknowledged(redis.client, stream, 0, now)).toBe(0);
    expect(await trimAcknowledged(redis.client, stream, 0, now, 3.5 * HOUR)).toBe(7);
    expect(await ids()).toEqual(all.slice(7));
    // Another reader's group is not a sink's: it holds everything it has not acknowledged.
    await redis.client.sendCommand(['XGROUP', 'CREATE', stream, 'downstream', '0']);
    await redis.client.sendCommand(['XADD', stream, `${now - 30 * 60_000}-0`, 'hash', 'h', 'event', '{}']);
    expect(await trimAcknowledged(redis.client, stream, 0, now, 0)).toBe(0);
  });

  it('trims nothing when the group does not exist', async () => {
    const now = Date.now();
    await addOldEntries(now);
    expect(await trimAcknowledged(redis.client, stream, 0, now)).toBe(0);
    expect(await ids()).toHaveLength(10);
  });
});

describe('compareIds', () => {
  it('orders by milliseconds then sequence, numerically', () => {
    expect(['10-0', '9-5', '9-10', '100-0'].sort(compareIds)).toEqual(['9-5', '9-10', '10-0', '100-0']);
  });
});
