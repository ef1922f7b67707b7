import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup } from '@ddup/store';
import { type ServiceProcess, type TestRedis, eventually, sampleEvent, startService, startTestRedis, workersGroupInfo } from '@ddup/test-utils';
import { API, CONSUMER_ENTRY, EVENTS_STREAM, GATEWAY_ENTRY } from './ddup-process.ts';

// A sliding-window tenant (window 2 s, refresh_on_duplicate) whose consumer lags longer than the
// window while duplicates keep arriving: once the consumer resumes, the event is processed, not
// left pending for good. Real redis-server, gateway and consumer processes, real HTTP.

const KEY = 'sliding-window-key';
const ADMIN_TOKEN = randomBytes(24).toString('hex');
let redis: TestRedis;
let dir: string;
let base: string;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = mkdtempSync(join(tmpdir(), 'ddup-sliding-'));
  const tenantsFile = join(dir, 'tenants.json');
  const digest = `sha256:${createHash('sha256').update(KEY).digest('hex')}`;
  writeFileSync(tenantsFile, JSON.stringify({ tenants: [{ id: 'debounce', api_keys: [digest], window_seconds: 2, refresh_on_duplicate: true }] }));
  const env = { REDIS_URL: redis.url, TENANTS_FILE: tenantsFile, LOG_LEVEL: 'warn', DDUP_ADMIN_TOKEN: ADMIN_TOKEN };
  const port = await freePort();
  started.push(startService(GATEWAY_ENTRY, { ...env, PORT: String(port), HOST: '127.0.0.1' }));
  started.push(startService(CONSUMER_ENTRY, { ...env, CONSUMER_BLOCK_MS: '100', CONSUMER_CLAIM_IDLE_MS: '1000', CONSUMER_CLAIM_INTERVAL_MS: '200' }));
  base = `http://127.0.0.1:${port}`;
  await eventually('gateway ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, 60_000);
});
afterAll(async () => {
  for (const service of started) await service.stop('SIGKILL');
  await redis?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = async (event: unknown) => {
  const response = await fetch(`${base}${API}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(event),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const stateOf = async (hash: string) => {
  const response = await fetch(`${base}/admin/events/${hash}?tenant=debounce`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return ((await response.json()) as { state?: string }).state;
};

it('a consumer stopped longer than the window while duplicates arrive marks the event processed once it resumes', async () => {
  const consumer = started[1];
  if (!consumer) throw new Error('no consumer');
  const client = await redis.client();
  // The consumer has created its group and reads: a first event is confirmed.
  const warm = await post(sampleEvent('warm-up'));
  await eventually('the consumer confirms', async () => (await stateOf(String(warm.body.hash))) === 'processed', 60_000);

  process.kill(consumer.pid, 'SIGSTOP');
  try {
    const event = sampleEvent('debounced');
    const admitted = await post(event);
    expect(admitted.status).toBe(202);
    const hash = String(admitted.body.hash);
    // Duplicates every 0.5 s for 3.5 s: the 2 s window never closes, and the entry grows older than it.
    for (let k = 0; k < 7; k++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await post(event)).status).toBe(409);
    }
    expect(await stateOf(hash)).toBe('pending');
    process.kill(consumer.pid, 'SIGCONT');
    await eventually('the entry acknowledged', async () => {
      const info = await workersGroupInfo(client, EVENTS_STREAM);
      return info.pending === 0 && info.lag === 0;
    });
    // The record is still within its (refreshed) window, and processed.
    expect(await stateOf(hash)).toBe('processed');
  } finally {
    process.kill(consumer.pid, 'SIGCONT');
  }
});

it('an entry a dead consumer left pending past the window is reclaimed and marks the event processed', async () => {
  const consumer = started[1];
  if (!consumer) throw new Error('no consumer');
  const client = await redis.client();
  await eventually('the consumer group exists', async () => (await workersGroupInfo(client, EVENTS_STREAM).catch(() => undefined))?.name !== undefined, 60_000);
  process.kill(consumer.pid, 'SIGSTOP');
  try {
    const event = sampleEvent('reclaimed');
    const admitted = await post(event);
    expect(admitted.status).toBe(202);
    // Read by a consumer that dies before confirming it (as a SIGKILL right after a read leaves it).
    await new StreamGroup(CONSUMER_GROUP, [EVENTS_STREAM]).read(client, 'killed', [[EVENTS_STREAM, NEW_ENTRIES]]);
    for (let k = 0; k < 7; k++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await post(event)).status).toBe(409);
    }
    process.kill(consumer.pid, 'SIGCONT');
    await eventually('the entry reclaimed and acknowledged', async () => (await workersGroupInfo(client, EVENTS_STREAM)).pending === 0);
    expect(await stateOf(String(admitted.body.hash))).toBe('processed');
  } finally {
    process.kill(consumer.pid, 'SIGCONT');
  }
});
