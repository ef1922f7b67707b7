import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import {
  INDEX_BUCKET_KEY_PATTERN,
  allEventsStreamKeys,
  deadLetterStreamKey,
  encodeStreamEntry,
  eventsStreamKey,
  shardOf,
  spaceOfIndexBucketKey,
} from '@ddup/store';
import { createLogger, createRedisConnection, shardSpread } from '@ddup/runtime';
import {
  type ServiceProcess,
  type TestCluster,
  type TestClusterClient,
  connectTestCluster,
  eventually,
  postJson,
  sampleEvent,
  seenState,
  startService,
  startTestCluster,
} from '@ddup/test-utils';
import { CONSUMER_MAIN, DDUP_CLI, GATEWAY_MAIN, allConfirmed, currentMasters } from './cluster-helpers.ts';

const SHARDS = 16;
let cluster: TestCluster;
let redis: TestClusterClient;
let gateway: ServiceProcess;
let consumer: ServiceProcess;
let base: string;

beforeAll(async () => {
  cluster = await startTestCluster(3);
  redis = await connectTestCluster(cluster.nodes);
  const port = await freePort();
  base = `http://127.0.0.1:${port}/api/v1/ddup_service`;
  const env = { REDIS_CLUSTER_NODES: cluster.seeds, STREAM_SHARDS: String(SHARDS), LOG_LEVEL: 'info' };
  gateway = startService(GATEWAY_MAIN, { ...env, PORT: String(port) });
  consumer = startService(CONSUMER_MAIN, {
    ...env,
    CONSUMER_CONCURRENCY: '2',
    CONSUMER_CLAIM_IDLE_MS: '300',
    CONSUMER_CLAIM_INTERVAL_MS: '100',
    CONSUMER_MAX_DELIVERIES: '2',
    STREAM_RETENTION_SECONDS: '0',
    STREAM_TRIM_INTERVAL_MS: '200',
  });
  await gateway.waitForOutput(/gateway listening/);
  await consumer.waitForOutput(/redis ready/);
  await eventually('gateway ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await consumer?.stop();
  await redis?.close();
  await cluster?.cleanup();
});

describe('ddup on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES, STREAM_SHARDS=16)', () => {
  it('answers 202 then 409, and 50 concurrent identical posts get exactly one 202', async () => {
    const body = JSON.stringify(sampleEvent('cluster-first'));
    const first = await postJson(`${base}/events`, body);
    expect(first.status).toBe(202);
    expect((await postJson(`${base}/events`, body)).status).toBe(409);

    const raced = JSON.stringify(sampleEvent('cluster-race'));
    const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await postJson(`${base}/events`, raced)).status));
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
  });

  it('spreads events over every master, and the consumers confirm all of them', async () => {
    const hashes: string[] = [];
    for (let n = 0; n < 400; n += 50) {
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => postJson(`${base}/events`, JSON.stringify(sampleEvent(`spread-${n + i}`)))));
      for (const reply of replies) {
        expect(reply.status).toBe(202);
        hashes.push(String(reply.json.hash));
      }
    }
    await eventually('every shard confirmed (pending 0, everything read)', () => allConfirmed(redis, SHARDS), 20_000);
    for (const hash of hashes.slice(0, 50)) {
      expect(await seenState(redis, hash, { shardCount: SHARDS })).toBe('processed');
    }

    // Every master holds index buckets of its own shards: each in the slot of its shard's events stream.
    const masters = await currentMasters(cluster);
    expect(masters).toHaveLength(3);
    for (const master of masters) {
      const client = await master.client();
      const buckets = await client.sendCommand<string[]>(['KEYS', INDEX_BUCKET_KEY_PATTERN]);
      expect(buckets.length).toBeGreaterThan(50);
      for (const key of buckets) {
        const shard = spaceOfIndexBucketKey(key)?.shard;
        expect(shard, key).toBeDefined();
        const slot = await client.sendCommand<number>(['CLUSTER', 'KEYSLOT', key]);
        expect(slot).toBe(await client.sendCommand<number>(['CLUSTER', 'KEYSLOT', eventsStreamKey(Number(shard))]));
      }
    }
  }, 60_000);

  it('admits a batch grouped per shard in one call per shard, in-batch duplicates included', async () => {
    const events = Array.from({ length: 200 }, (_, i) => sampleEvent(`batch-${i}`));
    const body = JSON.stringify([...events, events[0]]);
    const first = await postJson(`${base}/events/batch`, body);
    expect(first.status).toBe(200);
    const results = first.json.results as { status: string }[];
    expect(results.filter((result) => result.status === 'accepted')).toHaveLength(200);
    expect(results[200]?.status).toBe('duplicate');
    const again = await postJson(`${base}/events/batch`, body);
    expect((again.json.results as { status: string }[]).every((result) => result.status === 'duplicate')).toBe(true);
  });

  it('gets a shard going again when its stream was deleted, and its consumer group with it', async () => {
    const shard = 3;
    await redis.sendCommand(['DEL', allEventsStreamKeys(SHARDS)[shard] as string]);
    const landed: string[] = [];
    for (let n = 0; landed.length < 3 && n < 2_000; n += 50) {
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => postJson(`${base}/events`, JSON.stringify(sampleEvent(`regroup-${n + i}`)))));
      for (const reply of replies) if (shardOf(String(reply.json.hash), SHARDS) === shard) landed.push(String(reply.json.hash));
    }
    expect(landed.length).toBeGreaterThanOrEqual(3);
    await eventually('every shard confirmed again, the recreated one included', () => allConfirmed(redis, SHARDS), 20_000);
    for (const hash of landed) expect(await seenState(redis, hash, { shardCount: SHARDS })).toBe('processed');
  }, 60_000);

  it('moves a poison entry to its shard dead letters, which the CLI lists over the cluster', async () => {
    const stream = allEventsStreamKeys(SHARDS)[5] as string;
    const id = await redis.sendCommand<string>(['XADD', stream, '*', ...encodeStreamEntry({ hash: 'not-a-hash', event: '{}' })]);
    const dead = deadLetterStreamKey(5);
    await eventually('poison entry dead-lettered', async () => (await redis.sendCommand<number>(['XLEN', dead])) === 1, 20_000);
    const cli = startService(DDUP_CLI, { REDIS_CLUSTER_NODES: cluster.seeds, STREAM_SHARDS: String(SHARDS) }, ['dead-letters', 'list', '--json']);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain(`"source_id":"${id}"`);
    expect(cli.output()).toContain('1 dead letter(s)');
  }, 30_000);

  it('refuses to start with another STREAM_SHARDS than the one recorded in the cluster', async () => {
    const other = startService(CONSUMER_MAIN, { REDIS_CLUSTER_NODES: cluster.seeds, STREAM_SHARDS: '8' });
    expect(await other.exited).toBe(2);
    expect(other.output()).toContain('STREAM_SHARDS=8, but this Redis holds data written with STREAM_SHARDS=16');
  }, 30_000);

  it('trims acknowledged entries from every shard stream, and nobody logged a CROSSSLOT error', async () => {
    const streams = allEventsStreamKeys(SHARDS);
    const totalLength = async () => (await Promise.all(streams.map((stream) => redis.sendCommand<number>(['XLEN', stream])))).reduce((a, b) => a + b, 0);
    await eventually('every shard stream trimmed', async () => (await totalLength()) === 0 && (await allConfirmed(redis, SHARDS)), 20_000);
    expect(gateway.output() + consumer.output()).not.toMatch(/CROSSSLOT|MOVED/);
  }, 30_000);

  it('reports how the shards spread over the masters (one shard: one master; 16: all three)', async () => {
    const connection = createRedisConnection({
      target: { kind: 'cluster', nodes: cluster.nodes.map((node) => node.url) },
      name: 'spread',
      commandTimeoutMs: 2_000,
      logger: createLogger('test', 'error'),
    });
    await connection.connect();
    try {
      expect(await shardSpread(connection, 1)).toEqual({ used: 1, masters: 3 });
      expect(await shardSpread(connection, SHARDS)).toEqual({ used: 3, masters: 3 });
    } finally {
      await connection.close();
    }
  });
});
