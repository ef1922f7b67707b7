import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { INDEX_LAYOUT_KEY, REDIS_RESET_KEY } from '@ddup/store';
import { type ServiceProcess, eventually, postJson, sampleEvent, startGatewayProcess, startService, startTestRedis, useTestRedis } from '@ddup/test-utils';
import { API, CONSUMER_ENTRY, EVENTS_STREAM, REPO_ROOT, seenState } from './ddup-process.ts';

// A real redis-server killed and restarted empty under a running gateway and consumer: both say so
// (error log, ddup_redis_resets_total), hold their writes (/readyz 503 redis_reset, admissions 503)
// instead of silently starting an empty window, until an operator runs `pnpm ddup accept-reset`.

const CLI_ENTRY = join(REPO_ROOT, 'apps/ddup/src/cli/main.ts');
const test = useTestRedis();
let base: string;
let consumerMetrics: string;
let gateway: ServiceProcess;
let consumer: ServiceProcess;

beforeAll(async () => {
  const metricsPort = await freePort();
  consumer = startService(CONSUMER_ENTRY, {
    REDIS_URL: test.redis.url,
    CONSUMER_BLOCK_MS: '100',
    CONSUMER_METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
  });
  const started = await startGatewayProcess({ REDIS_URL: test.redis.url, LOG_LEVEL: 'info' }, { readyTimeoutMs: 60_000 });
  gateway = started.service;
  base = started.url;
  consumerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
  // Both processes must have seen the layout before the reset (a busy machine starts them slowly).
  await consumer.waitForOutput(/consumer pool started/, 60_000);
});
afterAll(async () => {
  await gateway?.stop('SIGKILL');
  await consumer?.stop('SIGKILL');
});

const readyz = async () => {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const post = (event: unknown) => postJson(`${base}${API}/events`, JSON.stringify(event));
const metric = async (url: string) => Number(/^ddup_redis_resets_total (\d+)$/m.exec(await (await fetch(url)).text())?.[1] ?? Number.NaN);

it('holds writes and says why until the reset is accepted, then starts an empty window', { timeout: 120_000 }, async () => {
  const event = sampleEvent('before-the-reset');
  const first = await post(event);
  expect(first.status).toBe(202);
  const client = await test.redis.client();
  await eventually('the event confirmed', async () => (await seenState(client, String(first.json.hash))) === 'processed', 60_000);
  expect(await metric(`${base}/metrics`)).toBe(0);

  // Killed, and back empty on the same port (no append-only file, no snapshot).
  process.kill(test.redis.server.pid, 'SIGKILL');
  await test.redis.server.exited;
  await test.redis.restart();
  const fresh = await test.redis.client();
  // Empty, but for what a ddup process may have noted of the reset already.
  expect((await fresh.keys('*')).filter((key) => key !== REDIS_RESET_KEY)).toEqual([]);

  await eventually('/readyz says redis_reset', async () => (await readyz()).body.reason === 'redis_reset', 30_000);
  const held = await readyz();
  expect(held.status).toBe(503);
  expect(String(held.body.detail)).toContain('pnpm ddup accept-reset');
  const refused = await post(event);
  expect(refused.status).toBe(503);
  expect(refused.json).toMatchObject({ code: 'redis_unavailable', reason: 'redis_reset' });
  await eventually('the consumer says so too', async () => /Redis was reset/.test(consumer.output()), 30_000);
  expect(gateway.output()).toMatch(/"level":"error".*Redis was reset/);
  // The gateway's /metrics page is reused for up to a second (one render however many scrape).
  await eventually('the gateway counted it', async () => (await metric(`${base}/metrics`)) === 1, 5_000);
  expect(await metric(consumerMetrics)).toBe(1);
  // Nothing was written back: no layout, no stream, no group; only the note that a reset is pending.
  expect(await fresh.keys('*')).toEqual([REDIS_RESET_KEY]);

  const cli = startService(CLI_ENTRY, { REDIS_URL: test.redis.url }, ['accept-reset']);
  expect(await cli.exited, cli.output()).toBe(0);
  expect(cli.output()).toContain('accepted the reset');

  await eventually('/readyz ready again', async () => (await readyz()).status === 200, 30_000);
  const again = await post(event);
  expect(again.status, again.text).toBe(202);
  await eventually('confirmed on the new data', async () => (await seenState(fresh, String(again.json.hash))) === 'processed', 30_000);
  expect(await fresh.exists(EVENTS_STREAM)).toBe(1);

  // A FLUSHALL under connections that stay up is found by the look every 5 s. Only once the
  // consumer has recorded the layout again too: a FLUSHALL in the middle of that would be undone by it.
  await eventually('the consumer writes again', async () => /Redis reset accepted/.test(consumer.output()), 30_000);
  await fresh.flushAll();
  await eventually('/readyz says redis_reset after a FLUSHALL', async () => (await readyz()).body.reason === 'redis_reset', 30_000);
  expect((await post(event)).status).toBe(503);
  await eventually('the gateway counted it again', async () => (await metric(`${base}/metrics`)) === 2, 5_000);
});

it('with ALLOW_REDIS_RESET=true: logs and counts it, then goes on with an empty window', { timeout: 120_000 }, async () => {
  const own = await startTestRedis();
  let allowing: ServiceProcess | undefined;
  try {
    const gateway = await startGatewayProcess({ REDIS_URL: own.url, LOG_LEVEL: 'info', ALLOW_REDIS_RESET: 'true' }, { readyTimeoutMs: 60_000 });
    allowing = gateway.service;
    const url = gateway.url;
    const event = JSON.stringify(sampleEvent('allowed-reset'));
    expect((await postJson(`${url}${API}/events`, event)).status).toBe(202);
    process.kill(own.server.pid, 'SIGKILL');
    await own.server.exited;
    await own.restart();
    await eventually('the reset logged', async () => /Redis was reset.*ALLOW_REDIS_RESET=true/.test(gateway.service.output()), 30_000);
    await eventually('/readyz ready', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
    expect((await postJson(`${url}${API}/events`, event)).status).toBe(202);
    await eventually('the gateway counted it', async () => (await metric(`${url}/metrics`)) === 1, 5_000);
    // A FLUSHALL too, found by the periodic look: counted once, the layout recorded again at once.
    const ownClient = await own.client();
    await ownClient.flushAll();
    await eventually('the FLUSHALL counted', async () => (await metric(`${url}/metrics`)) === 2, 30_000);
    await eventually('the layout recorded again', async () => (await ownClient.exists(INDEX_LAYOUT_KEY)) === 1);
  } finally {
    await allowing?.stop('SIGKILL');
    await own.cleanup();
  }
});
