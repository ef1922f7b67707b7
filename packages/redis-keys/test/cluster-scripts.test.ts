import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestCluster, type TestClusterClient, admitEvents, connectTestCluster, names, startTestCluster } from '@ddup/test-utils';
import { admitBatchScript, eventsStreamKey, runScript, seenKey, shardOf } from '../src/index.ts';

const SHARDS = 16;
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
  const hashes = await admitEvents(client, names('cluster', 300), { shardCount: SHARDS });
  const perShard = new Map<number, number>();
  for (const hash of hashes) perShard.set(shardOf(hash, SHARDS), (perShard.get(shardOf(hash, SHARDS)) ?? 0) + 1);
  for (const [shard, count] of perShard) {
    expect(await client.sendCommand(['XLEN', eventsStreamKey(shard)])).toBe(count);
  }
  const first = hashes[0] as string;
  expect(await client.sendCommand(['GET', seenKey(shardOf(first, SHARDS), first)])).toBe('pending');

  // The batch script: a shard's stream and seen keys in one call.
  const shard = shardOf(first, SHARDS);
  const script = admitBatchScript.withKeyCount(2);
  const reply = await runScript<unknown[]>(client, script, [eventsStreamKey(shard), seenKey(shard, first)], ['3600', first, '{}']);
  expect(reply).toEqual([0, 'pending']);

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
