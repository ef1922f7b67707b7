import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { SHARD_COUNT_KEY } from '@ddup/store';
import { startService, useTestRedis } from '@ddup/test-utils';

const CONSUMER_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const GATEWAY_MAIN = fileURLToPath(new URL('../../gateway/src/main.ts', import.meta.url));
const redis = useTestRedis();

it('records STREAM_SHARDS on first start and refuses to run with another count', async () => {
  const first = startService(CONSUMER_MAIN, { REDIS_URL: redis.redis.url, STREAM_SHARDS: '4', LOG_LEVEL: 'info' });
  await first.waitForOutput(/redis ready/);
  await expect.poll(() => redis.client.get(SHARD_COUNT_KEY)).toBe('4');
  expect(await first.stop('SIGTERM')).toBe(0);

  const consumer = startService(CONSUMER_MAIN, { REDIS_URL: redis.redis.url, STREAM_SHARDS: '2' });
  expect(await consumer.exited).toBe(2);
  expect(consumer.output()).toContain('STREAM_SHARDS=2, but this Redis holds data written with STREAM_SHARDS=4');

  const gateway = startService(GATEWAY_MAIN, { REDIS_URL: redis.redis.url, STREAM_SHARDS: '1', PORT: String(await freePort()) });
  expect(await gateway.exited).toBe(2);
  expect(gateway.output()).toContain('start with STREAM_SHARDS=4');
  expect(await redis.client.get(SHARD_COUNT_KEY)).toBe('4');
}, 60_000);
