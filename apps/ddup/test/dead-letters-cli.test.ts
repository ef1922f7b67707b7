import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConsumerPool } from '@ddup/consumer';
import { createLogger } from '@ddup/runtime';
import { deadLetterStreamKey, eventsStreamKey, seenKey } from '@ddup/redis-keys';
import { type TestRedis, eventually, startService, startTestRedis } from '@ddup/test-utils';

const CLI = fileURLToPath(new URL('../src/dead-letters-cli.ts', import.meta.url));
const HASH = 'ef'.repeat(32);
let redis: TestRedis;
let client: Awaited<ReturnType<TestRedis['client']>>;
let pool: ConsumerPool;

beforeAll(async () => {
  redis = await startTestRedis();
  client = await redis.client();
  pool = ConsumerPool.start(
    {
      redis: { kind: 'single', url: redis.url },
      STREAM_SHARDS: 1,
      DEDUP_WINDOW_SECONDS: 3_600,
      CONSUMER_CONCURRENCY: 2,
      CONSUMER_BATCH_SIZE: 100,
      CONSUMER_BLOCK_MS: 100,
      CONSUMER_IDLE_POLL_MS: 20,
      CONSUMER_LINGER_MS: 10,
      CONSUMER_NAME: 'dl',
      REDIS_COMMAND_TIMEOUT_MS: 2_000,
      CONSUMER_CLAIM_IDLE_MS: 100,
      CONSUMER_CLAIM_INTERVAL_MS: 50,
      CONSUMER_MAX_DELIVERIES: 3,
      STREAM_RETENTION_SECONDS: 3_600,
      STREAM_TRIM_INTERVAL_MS: 60_000,
    },
    createLogger('test', 'error'),
  );
});
afterAll(async () => {
  await pool.close();
  await redis.cleanup();
});

it('a poison entry ends in the dead letters, the CLI lists it, and replay puts a fixed entry back to be confirmed', async () => {
  const poisonId = await client.sendCommand<string>(['XADD', eventsStreamKey(0), '*', 'hash', 'not-a-hash', 'event', '{}']);
  await eventually('poison dead-lettered', async () => (await client.xLen(deadLetterStreamKey(0))) === 1, 20_000);
  const [pending] = await client.sendCommand<[number]>(['XPENDING', eventsStreamKey(0), 'ddup-workers']);
  expect(pending).toBe(0);

  const list = startService(CLI, { REDIS_URL: redis.url }, ['list']);
  expect(await list.exited).toBe(0);
  const [line] = list.output().split('\n').filter((l) => l.startsWith('{'));
  expect(JSON.parse(line ?? '{}')).toMatchObject({
    shard: 0,
    source_id: poisonId,
    reason: 'hash field is not a hex SHA-256 after 3 deliveries',
    deliveries: '3',
    hash: 'not-a-hash',
  });

  // An operator fixes the cause (here: a dead letter whose entry is valid) and replays.
  await client.sendCommand(['DEL', deadLetterStreamKey(0)]);
  await client.sendCommand(['XADD', deadLetterStreamKey(0), '*', 'source_id', '1-1', 'reason', 'r', 'deliveries', '3', 'hash', HASH, 'event', '{}']);
  const replay = startService(CLI, { REDIS_URL: redis.url }, ['replay']);
  expect(await replay.exited).toBe(0);
  expect(replay.output()).toContain('replayed 1 dead letter(s)');
  await eventually('replayed entry confirmed', async () => (await client.get(seenKey(0, HASH))) === 'processed');
  expect(await client.xLen(deadLetterStreamKey(0))).toBe(0);
}, 60_000);
