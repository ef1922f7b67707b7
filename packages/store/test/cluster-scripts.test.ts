import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestCluster, type TestClusterClient, admitEvents, connectTestCluster, names, seenState, startTestCluster, testStore } from '@ddup/test-utils';
import { eventsStreamKey, shardOf } from '../src/index.ts';

const SHARDS = 16;
const WINDOW_SECONDS = 3600;
let cluster: TestCluster;
let client: TestClusterClient;

beforeAll(async () => {
  cluster = await startTestCluster(3);
  client = await connectTestCluster(cluster.nodes);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await cluster?.cleanup();
});

it('admits events with the admission scripts on a real 3-master cluster, every shard on its own slot, no CROSSSLOT', async () => {
  const hashes = await admitEvents(client, names('cluster', 300), { shardCount: SHARDS, windowSeconds: WINDOW_SECONDS });
  const perShard = new Map<number, number>();
  for (const hash of hashes) perShard.set(shardOf(hash, SHARDS), (perShard.get(shardOf(hash, SHARDS)) ?? 0) + 1);
  for (const [shard, count] of perShard) {
    expect(await client.sendCommand(['XLEN', eventsStreamKey(shard)])).toBe(count);
  }
  const first = hashes[0] as string;
  expect(await seenState(client, first, { shardCount: SHARDS, windowSeconds: WINDOW_SECONDS })).toBe('pending');

  // The batch script: a shard's stream and the index buckets of its events in one call.
  const shard = shardOf(first, SHARDS);
  const ofShard = hashes.filter((hash) => shardOf(hash, SHARDS) === shard);
  const store = testStore({ shardCount: SHARDS, windowSeconds: WINDOW_SECONDS });
  const reply = await store.admitShardBatch(
    client,
    shard,
    ofShard.map((hash) => ({ hash, canonical: '{}' })),
  );
  expect(reply).toEqual(ofShard.map((hash) => ({ outcome: 'duplicate', hash, state: 'pending', firstSeenMs: expect.any(Number) })));

  // The shards really are spread over the masters: every master owns some shard with events.
  const ranges = await client.sendCommand<[number, number, [string, number]][]>(['CLUSTER', 'SLOTS']);
  const owners = new Set<number>();
  for (const shard of perShard.keys()) {
    const slot = await client.sendCommand<number>(['CLUSTER', 'KEYSLOT', eventsStreamKey(shard)]);
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (range) owners.add(range[2][1]);
  }
  expect(owners.size).toBe(3);
}, 60_000);
