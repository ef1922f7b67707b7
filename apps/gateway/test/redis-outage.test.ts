import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventsStreamKey } from '@ddup/store';
import { type TestRedis, eventually, sampleEvent, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

let redis: TestRedis;
let gateway: Gateway;

const post = async (n: string) => await gateway.app.request(`${API_PREFIX}/events`, { method: 'POST', body: JSON.stringify(sampleEvent(n)) });

beforeAll(async () => {
  // always: with everysec a busy disk lets Redis postpone its AOF write, and a SIGKILL may lose an answered write.
  redis = await startTestRedis({ appendOnly: true, appendFsync: 'always' });
  gateway = await startTestGateway({ REDIS_URL: redis.url });
});

afterAll(async () => {
  await stopTestGateway(gateway);
  await redis.cleanup();
});

it('answers 503 with Retry-After, quickly, while Redis is down, and 202 again once it is back', async () => {
  expect((await post('before')).status).toBe(202);

  await redis.server.kill('SIGKILL');
  for (const n of ['down-1', 'down-2', 'down-3']) {
    const started = Date.now();
    const response = await post(n);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'redis_unavailable' });
    expect(elapsed).toBeLessThan(1_500);
  }
  const notReady = await gateway.app.request('/readyz');
  expect(notReady.status).toBe(503);
  expect(notReady.headers.get('retry-after')).toBe('1');

  await redis.restart();
  await eventually('gateway reconnected', async () => (await gateway.app.request('/readyz')).status === 200);
  expect((await post('after')).status).toBe(202);
  // The event accepted before the crash is still remembered (AOF), so it is still a duplicate.
  expect((await post('before')).status).toBe(409);
  // None of the events refused with 503 was stored.
  const client = await redis.client();
  const stored = await client.xRange(eventsStreamKey(0), '-', '+');
  const users = (stored ?? []).map((entry) => JSON.parse(entry.message.event ?? '{}').user_id);
  expect(users).toEqual(['user-before', 'user-after']);
});

it('answers 503 within about a second when Redis hangs without closing the connection', async () => {
  process.kill(redis.server.pid, 'SIGSTOP');
  try {
    const started = Date.now();
    const response = await post('while-frozen');
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
  } finally {
    process.kill(redis.server.pid, 'SIGCONT');
  }
  await eventually('gateway serving again', async () => (await gateway.app.request('/readyz')).status === 200);
  expect((await post('after-freeze')).status).toBe(202);
});
