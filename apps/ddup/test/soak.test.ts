import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { eventsStreamKey } from '@ddup/store';
import { type ServiceProcess, type TestRedis, eventually, sampleEvent, seenState, startService, startTestRedis, workersGroupInfo } from '@ddup/test-utils';

const GATEWAY = fileURLToPath(new URL('../../gateway/src/main.ts', import.meta.url));
const CONSUMER = fileURLToPath(new URL('../../consumer/src/main.ts', import.meta.url));
const SOAK_MS = Number(process.env.SOAK_SECONDS ?? 10) * 1000;
const SHARDS = 2;
let redis: TestRedis;
let gateway: ServiceProcess;
const consumers: ServiceProcess[] = [];

const common = () => ({ REDIS_URL: redis.url, STREAM_SHARDS: String(SHARDS), LOG_LEVEL: 'warn' });
const startConsumer = () => {
  const consumer = startService(CONSUMER, {
    ...common(),
    CONSUMER_CONCURRENCY: '2',
    CONSUMER_BATCH_SIZE: '50',
    CONSUMER_BLOCK_MS: '100',
    CONSUMER_CLAIM_IDLE_MS: '500',
    CONSUMER_CLAIM_INTERVAL_MS: '100',
  });
  consumers.push(consumer);
  return consumer;
};

beforeAll(async () => {
  redis = await startTestRedis();
  const port = await freePort();
  gateway = startService(GATEWAY, { ...common(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  await gateway.waitForOutput(/gateway listening/);
  (globalThis as { soakUrl?: string }).soakUrl = `http://127.0.0.1:${port}/api/v1/ddup_service/events`;
});

afterAll(async () => {
  await Promise.all([gateway, ...consumers].map((p) => p.stop('SIGKILL')));
  await redis.cleanup();
});

it('mixed traffic while consumers are killed and restarted: one 202 per distinct event, all confirmed, nothing pending', async () => {
  const url = (globalThis as { soakUrl?: string }).soakUrl as string;
  const accepted = new Map<string, string>(); // event name -> hash
  const acceptedTwice: string[] = [];
  const unexpected: string[] = [];
  const sent: string[] = [];
  let counter = 0;

  const post = async (name: string) => {
    const response = await fetch(url, { method: 'POST', body: JSON.stringify(sampleEvent(name)) });
    const body = (await response.json()) as { hash?: string };
    if (response.status === 202) {
      if (accepted.has(name)) acceptedTwice.push(name);
      accepted.set(name, body.hash ?? '');
    } else if (response.status !== 409) {
      unexpected.push(`${response.status} for ${name}`);
    }
    return response.status;
  };

  let current = startConsumer();
  const deadline = Date.now() + SOAK_MS;
  const restarts = (async () => {
    for (let round = 0; Date.now() < deadline - 1_000; round++) {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await current.stop(round % 2 === 0 ? 'SIGKILL' : 'SIGTERM');
      current = startConsumer();
    }
  })();
  const traffic = async () => {
    while (Date.now() < deadline) {
      const dice = Math.random();
      if (dice < 0.6 || sent.length === 0) {
        const name = `soak-${counter++}`;
        sent.push(name);
        await post(name);
      } else if (dice < 0.85) {
        const name = sent[Math.floor(Math.random() * sent.length)] as string;
        const wasAccepted = accepted.has(name);
        const status = await post(name);
        if (wasAccepted && status !== 409) unexpected.push(`repeat of ${name} got ${status}`);
      } else {
        const name = `soak-burst-${counter++}`;
        const statuses = await Promise.all(Array.from({ length: 10 }, () => post(name)));
        // Only now may other loops repeat it: a repeat racing the burst could take its one 202.
        sent.push(name);
        if (statuses.filter((s) => s === 202).length !== 1) unexpected.push(`burst ${name}: ${statuses.join(',')}`);
      }
    }
  };
  await Promise.all([...Array.from({ length: 6 }, traffic), restarts]);

  console.info(`soak: ${SOAK_MS / 1000} s, ${new Set(sent).size} distinct events, ${accepted.size} accepted, ${consumers.length} consumer processes`);
  expect(unexpected).toEqual([]);
  expect(acceptedTwice).toEqual([]);
  expect(accepted.size).toBe(new Set(sent).size);

  const client = await redis.client();
  const streamHashes: string[] = [];
  for (let shard = 0; shard < SHARDS; shard++) {
    for (const entry of (await client.xRange(eventsStreamKey(shard), '-', '+')) ?? []) streamHashes.push(entry.message.hash ?? '');
  }
  // Number of 202s = number of distinct events admitted, and none was admitted twice.
  expect(streamHashes).toHaveLength(accepted.size);
  expect(new Set(streamHashes)).toEqual(new Set(accepted.values()));

  await eventually(
    'every admitted event confirmed, nothing pending',
    async () => {
      for (let shard = 0; shard < SHARDS; shard++) {
        const info = await workersGroupInfo(client, eventsStreamKey(shard));
        if (info.pending !== 0 || info.lag !== 0) return false;
      }
      return true;
    },
    30_000,
  );
  const states = await Promise.all([...accepted.values()].map((hash) => seenState(client, hash, { shardCount: SHARDS })));
  expect(states.filter((state) => state !== 'processed')).toEqual([]);
}, 120_000);
