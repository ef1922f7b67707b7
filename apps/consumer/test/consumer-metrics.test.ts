import { afterEach, describe, expect, it } from 'vitest';
import { deadLetterStreamKey, eventsStreamKey } from '@ddup/store';
import { createLogger } from '@ddup/runtime';
import { admitEvents, eventually, names, useTestRedis, workersGroupInfo } from '@ddup/test-utils';
import { ConsumerPool, type ConsumerPoolSettings } from '../src/consumer-pool.ts';
import { ConsumerMetrics } from '../src/metrics/consumer-metrics.ts';
import { type MetricsServer, startMetricsServer } from '../src/metrics/metrics-server.ts';
import { testPoolSettings } from './pool-settings.ts';

const WINDOW_SECONDS = 3_600;
const logger = createLogger('test', 'error');
const redis = useTestRedis({ flushAfterEach: true });

function settings(overrides: Partial<ConsumerPoolSettings>): ConsumerPoolSettings {
  return testPoolSettings(redis.redis.url, { windowSeconds: WINDOW_SECONDS, consumerName: 'metrics-test', ...overrides });
}

/** The samples of `name` in a Prometheus text exposition whose labels include `labels` (e.g. `shard="0"`), summed. */
function sampleSum(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1] === name && (match[2] ?? '').includes(labels)) sum += Number(match[3]);
  }
  return sum;
}

let pool: ConsumerPool | undefined;
let server: MetricsServer | undefined;

afterEach(async () => {
  await server?.close();
  await pool?.close();
  pool = undefined;
  server = undefined;
});

/** A pool with metrics, served on a free port as main.ts serves them; resolves to a scrape of `/metrics` over HTTP. */
async function startPool(overrides: Partial<ConsumerPoolSettings>): Promise<() => Promise<string>> {
  const poolSettings = settings(overrides);
  const metrics = new ConsumerMetrics({ shards: poolSettings.shards, processMetrics: true });
  pool = ConsumerPool.start(poolSettings, logger, { metrics });
  const started = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0 }, logger);
  server = started;
  return async () => {
    const response = await fetch(started.url);
    expect(response.status).toBe(200);
    return response.text();
  };
}

async function drained(shards: number): Promise<boolean> {
  const infos = await Promise.all(Array.from({ length: shards }, (_, shard) => workersGroupInfo(redis.client, eventsStreamKey(shard))));
  return infos.every((info) => info.lag === 0 && info.pending === 0);
}

describe('the consumer pool with metrics', () => {
  it('counts every confirmed event exactly once, per shard, and times its reads and confirm calls', async () => {
    const shardCount = 2;
    const scrape = await startPool({ shards: shardCount });
    expect(sampleSum(await scrape(), 'ddup_confirmed_total')).toBe(0);

    await admitEvents(redis.client, names('metrics', 300), { shardCount, windowSeconds: WINDOW_SECONDS });
    await eventually('300 confirmed', async () => (await drained(shardCount)) && sampleSum(await scrape(), 'ddup_confirmed_total') >= 300);
    let text = await scrape();
    expect(sampleSum(text, 'ddup_confirmed_total')).toBe(300);
    for (let shard = 0; shard < shardCount; shard++) {
      expect(sampleSum(text, 'ddup_confirmed_total', `shard="${shard}"`)).toBe(await redis.client.xLen(eventsStreamKey(shard)));
    }

    await admitEvents(redis.client, names('more', 120), { shardCount, windowSeconds: WINDOW_SECONDS });
    await eventually('120 more confirmed', async () => (await drained(shardCount)) && sampleSum(await scrape(), 'ddup_confirmed_total') >= 420);
    text = await scrape();
    expect(sampleSum(text, 'ddup_confirmed_total')).toBe(420);
    expect(pool?.confirmed).toBe(420);
    expect(sampleSum(text, 'ddup_read_duration_seconds_count')).toBeGreaterThan(0);
    expect(sampleSum(text, 'ddup_confirm_duration_seconds_count')).toBeGreaterThan(0);
    expect(sampleSum(text, 'ddup_confirm_duration_seconds_bucket', 'le="+Inf"')).toBe(sampleSum(text, 'ddup_confirm_duration_seconds_count'));
    expect(sampleSum(text, 'ddup_reclaimed_total')).toBe(0);
    expect(sampleSum(text, 'ddup_dead_lettered_total')).toBe(0);
    expect(sampleSum(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts an entry that cannot be confirmed as reclaimed on each takeover and dead-lettered once moved', async () => {
    const maxDeliveries = 3;
    const stream = eventsStreamKey(0);
    // No hash field: every delivery fails on its own merits, until it goes to the dead letters.
    const poison = await redis.client.sendCommand<string>(['XADD', stream, '*', 'event', 'not json at all']);
    await admitEvents(redis.client, names('valid', 10), { windowSeconds: WINDOW_SECONDS });
    // One consumer, so every takeover is its own and each adds exactly one delivery.
    const scrape = await startPool({ concurrency: 1, claimIdleMs: 50, claimIntervalMs: 20, maxDeliveries });

    await eventually('the poison entry dead-lettered and counted', async () => sampleSum(await scrape(), 'ddup_dead_lettered_total') >= 1);
    const text = await scrape();
    const [letter] = (await redis.client.xRange(deadLetterStreamKey(0), '-', '+')) ?? [];
    expect(letter?.message).toMatchObject({ source_id: poison, deliveries: String(maxDeliveries) });
    expect(sampleSum(text, 'ddup_dead_lettered_total', 'shard="0"')).toBe(1);
    // Read once, then taken over until its deliveries reached the limit.
    expect(sampleSum(text, 'ddup_reclaimed_total', 'shard="0"')).toBe(maxDeliveries - 1);
    expect(sampleSum(text, 'ddup_confirmed_total')).toBe(10);
    expect(await drained(1)).toBe(true);
  });
});
