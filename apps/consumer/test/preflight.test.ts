import { expect, it } from 'vitest';
import { type Refusal, createLogger } from '@ddup/runtime';
import { CONSUMER_GROUP, SHARD_COUNT_KEY, StreamGroup, eventsStreamKey } from '@ddup/store';
import { startTestRedis } from '@ddup/test-utils';
import { ConsumerPool } from '../src/consumer-pool.ts';
import { testPoolSettings } from './pool-settings.ts';

// The pool's consumers create the consumer group when they first read, and the layout check records
// the layout: neither may happen on a Redis the pool refuses.

it('refuses an evicting Redis before writing anything to it, then runs on one that does not evict', async () => {
  const redis = await startTestRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
  const client = await redis.client();
  const logger = createLogger('test', 'error');
  try {
    const refusals: Refusal[] = [];
    const refused = ConsumerPool.start(testPoolSettings(redis.url, { concurrency: 3, blockMs: 50 }), logger, {
      onRefused: (refusal) => refusals.push(refusal),
    });
    await expect.poll(() => refusals.map((refusal) => refusal.reason), { timeout: 10_000 }).toEqual(['eviction_policy']);
    // Time for a consumer that had been started to read (and create its group).
    await new Promise((resolve) => setTimeout(resolve, 300));
    await refused.close();
    expect(await client.dbSize()).toBe(0);

    await client.configSet('maxmemory-policy', 'noeviction');
    const pool = ConsumerPool.start(testPoolSettings(redis.url, { concurrency: 3, blockMs: 50 }), logger, {
      onRefused: (refusal) => refusals.push(refusal),
    });
    await expect.poll(() => client.get(SHARD_COUNT_KEY), { timeout: 10_000 }).toBe('1');
    await expect
      .poll(async () => (await new StreamGroup(CONSUMER_GROUP, [eventsStreamKey(0)]).info(client, eventsStreamKey(0)).catch(() => undefined))?.name, {
        timeout: 10_000,
      })
      .toBe(CONSUMER_GROUP);
    await pool.close();
    expect(refusals).toHaveLength(1);
  } finally {
    await redis.cleanup();
  }
}, 30_000);
