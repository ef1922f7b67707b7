/**
 * The consumer process (main.ts) with CONSUMER_METRICS_PORT: it serves its pool's metrics and
 * closes the endpoint on SIGTERM; a port it cannot listen on is logged, and it consumes anyway.
 */
import { fileURLToPath } from 'node:url';
import { type Server, createServer } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { eventsStreamKey } from '@ddup/store';
import { type ServiceProcess, admitEvents, eventually, names, startService, useTestRedis, workersGroupInfo } from '@ddup/test-utils';

const CONSUMER_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const WINDOW_SECONDS = 3_600;
const redis = useTestRedis({ flushAfterEach: true });
const processes: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(processes.map((service) => service.stop('SIGKILL')));
});

function startConsumer(env: Record<string, string>): ServiceProcess {
  const consumer = startService(CONSUMER_MAIN, {
    REDIS_URL: redis.redis.url,
    DEDUP_WINDOW_SECONDS: String(WINDOW_SECONDS),
    CONSUMER_BLOCK_MS: '200',
    LOG_LEVEL: 'info',
    // The data is flushed between tests on purpose: not a reset to hold on.
    ALLOW_REDIS_RESET: 'true',
    ...env,
  });
  processes.push(consumer);
  return consumer;
}

async function drained(): Promise<boolean> {
  const info = await workersGroupInfo(redis.client, eventsStreamKey(0));
  return info.lag === 0 && info.pending === 0;
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

it('serves GET /metrics on CONSUMER_METRICS_PORT, logs where, and stops serving on SIGTERM', async () => {
  const port = await freePort();
  const consumer = startConsumer({ CONSUMER_METRICS_PORT: String(port) });
  await consumer.waitForOutput(/"message":"consumer metrics served"/, 30_000);
  const url = `http://127.0.0.1:${port}/metrics`;
  expect(consumer.output()).toContain(`"url":"${url}"`);

  await admitEvents(redis.client, names('served', 25), { windowSeconds: WINDOW_SECONDS });
  await eventually(
    '25 confirmed, as the endpoint says',
    async () => (await drained()) && /^ddup_confirmed_total\{shard="0"\} 25$/m.test(await (await fetch(url)).text()),
  );
  const notFound = await fetch(`http://127.0.0.1:${port}/`);
  expect(notFound.status).toBe(404);
  expect(await notFound.json()).toEqual({ detail: 'Not Found', code: 'not_found' });

  expect(await consumer.stop('SIGTERM')).toBe(0);
  await expect(fetch(url)).rejects.toThrow();
}, 60_000);

it('consumes without metrics when their port is taken, saying so', async () => {
  const port = await freePort();
  const squatter = await listenOn(port);
  try {
    const consumer = startConsumer({ CONSUMER_METRICS_PORT: String(port) });
    await consumer.waitForOutput(/cannot serve metrics; consuming without them/, 30_000);
    await admitEvents(redis.client, names('unmeasured', 25), { windowSeconds: WINDOW_SECONDS });
    await eventually('25 confirmed all the same', drained, 30_000);
    expect((await workersGroupInfo(redis.client, eventsStreamKey(0)))['entries-read']).toBe(25);
    expect(consumer.output()).toContain('EADDRINUSE');
    expect(await consumer.stop('SIGTERM')).toBe(0);
  } finally {
    squatter.close();
  }
}, 60_000);
