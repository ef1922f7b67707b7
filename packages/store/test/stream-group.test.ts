import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestRedis } from '@ddup/test-utils';
import { CONSUMER_GROUP, NEW_ENTRIES, Store, StreamGroup, encodeStreamEntry, eventsStreamKey, isMissingGroupError, readEventEntries } from '../src/index.ts';

const redis = useTestRedis({ flushAfterEach: true });
const store = new Store({ shardCount: 1, indexCapacity: 1_000, windowSeconds: 3600 });
const stream = eventsStreamKey(0);

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function admit(count: number, tenant?: string): Promise<string[]> {
  const space = store.forTenant(tenant);
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const result = await space.admit(redis.client, { hash: hashOf(`${tenant ?? ''}${n}`), canonical: `{"n":${n}}` });
    if (result.outcome === 'accepted') ids.push(result.id);
  }
  return ids;
}

describe('StreamGroup', () => {
  it('reads admitted entries decoded, acknowledges them, and a second group reads them all again', async () => {
    const [id] = await admit(1, 'acme');
    const workers = StreamGroup.ofEvents(CONSUMER_GROUP, 1);
    const sink = StreamGroup.ofEvents('ddup-sink-test', 1);
    await workers.ensure(redis.client);
    await workers.ensure(redis.client);
    await sink.ensure(redis.client, '0');

    const [batch] = await workers.read(redis.client, 'w1', [[stream, NEW_ENTRIES]], 10);
    expect(batch).toEqual({ stream, entries: [{ id, present: true, hash: hashOf('acme0'), event: '{"n":0}', tenant: 'acme' }] });
    expect(await workers.ack(redis.client, stream, [id as string])).toBe(1);
    expect(await workers.pendingSummary(redis.client, stream)).toEqual({ count: 0, oldestId: null });

    const [again] = await sink.read(redis.client, 's1', [[stream, NEW_ENTRIES]], 10);
    expect(again?.entries.map((entry) => entry.id)).toEqual([id]);
    expect(await sink.pendingSummary(redis.client, stream)).toEqual({ count: 1, oldestId: id });
  });

  it("re-reads a consumer's own pending entries from an id, and gives a deleted one's id without fields", async () => {
    const ids = await admit(3);
    const group = StreamGroup.ofEvents(CONSUMER_GROUP, 1);
    await group.ensure(redis.client);
    await group.read(redis.client, 'w1', [[stream, NEW_ENTRIES]], 10);
    await redis.client.sendCommand(['XDEL', stream, ids[1] as string]);
    const [backlog] = await group.read(redis.client, 'w1', [[stream, ids[0] as string]], 10);
    expect(backlog?.entries.map(({ id, present }) => [id, present])).toEqual([
      [ids[1], false],
      [ids[2], true],
    ]);
  });

  it('finds stale entries, claims them for another consumer, and removes only consumers with nothing pending', async () => {
    const ids = await admit(2);
    const group = StreamGroup.ofEvents(CONSUMER_GROUP, 1);
    await group.ensure(redis.client);
    await group.read(redis.client, 'dead', [[stream, NEW_ENTRIES]], 10);
    expect(await group.stale(redis.client, stream, 60_000, 10)).toEqual([]);
    const stale = await group.stale(redis.client, stream, 0, 10);
    expect(stale).toEqual(ids.map((id) => ({ id, consumer: 'dead', idleMs: expect.any(Number), deliveries: 1 })));

    const claimed = await group.claim(redis.client, stream, 'alive', 0, [ids[0] as string]);
    expect(claimed.map((entry) => [entry.id, entry.hash])).toEqual([[ids[0], hashOf('0')]]);
    expect((await group.pendingOf(redis.client, stream, 'alive', 10)).map(({ id, deliveries }) => [id, deliveries])).toEqual([[ids[0], 2]]);
    expect(await group.entry(redis.client, stream, ids[1] as string)).toMatchObject({ id: ids[1], hash: hashOf('1') });
    expect(await group.entry(redis.client, stream, '1-1')).toBeUndefined();

    await group.ack(redis.client, stream, [ids[0] as string]);
    await group.deleteIdleConsumer(redis.client, 'alive');
    await group.deleteIdleConsumer(redis.client, 'dead');
    expect((await group.consumers(redis.client, stream)).map((consumer) => consumer.name)).toEqual(['dead']);
    expect(await group.info(redis.client, stream)).toMatchObject({ name: CONSUMER_GROUP, pending: 1 });
  });

  it('says when a stream lost its group, and decodes an entry written field by field', async () => {
    const group = StreamGroup.ofEvents(CONSUMER_GROUP, 1);
    const id = await redis.client.sendCommand<string>(['XADD', stream, '*', ...encodeStreamEntry({ hash: 'not-a-hash', event: '{}' })]);
    const failure = await group.read(redis.client, 'w1', [[stream, NEW_ENTRIES]], 10).catch((error: unknown) => error);
    expect(isMissingGroupError(failure)).toBe(true);
    expect(await group.consumers(redis.client, stream)).toEqual([]);
    expect(await readEventEntries(redis.client, stream)).toEqual([{ id, present: true, hash: 'not-a-hash', event: '{}', tenant: undefined }]);
  });
});
