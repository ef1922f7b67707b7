import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@ddup/redis-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, eventsStreamKey } from '@ddup/store';
import { type TestRedis, postJson, sampleEvent, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { createGateway } from '../src/gateway.ts';
import { parseGatewayConfig } from '../src/env.ts';
import { SNAPSHOT_REUSE_MS } from '../src/metrics/store-snapshot.ts';
import { createLogger } from '@ddup/runtime';
import { ServedGateways, startTestGateway } from './test-gateway.ts';

// GET /metrics over real HTTP: the event counters count exactly what was posted, and the gauges
// read from Redis at scrape time say what the streams and the index hold.

let redis: TestRedis;
const served = new ServedGateways();

/** Every sample of a scrape, as `name{labels}` → value (labels as written, in prom-client's order). */
async function scrape(base: string): Promise<Map<string, number>> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

function events(samples: Map<string, number>, outcome: string, route: string, tenant = 'default'): number {
  return samples.get(`ddup_events_total{outcome="${outcome}",route="${route}",tenant="${tenant}"}`) ?? Number.NaN;
}

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await served.closeAll();
  await redis.cleanup();
});

describe('GET /metrics', () => {
  it('counts each posted event once by outcome and route, a batch item by item, and how old each duplicate was', async () => {
    const base = await served.serve(await startTestGateway({ REDIS_URL: redis.url, BODY_LIMIT_BYTES: '512', STREAM_SHARDS: '2', INDEX_CAPACITY: '2000' }));
    const url = `${base}${API_PREFIX}/events`;
    const before = await scrape(base);
    const [accepted, duplicates, invalid, tooLarge] = [7, 4, 3, 2];
    for (let n = 0; n < accepted; n++) expect((await postJson(url, JSON.stringify(sampleEvent(`m${n}`)))).status).toBe(202);
    for (let n = 0; n < duplicates; n++) expect((await postJson(url, JSON.stringify(sampleEvent(`m${n}`)))).status).toBe(409);
    for (let n = 0; n < invalid; n++) expect((await postJson(url, '{"user_id": 1}')).status).toBe(422);
    for (let n = 0; n < tooLarge; n++)
      expect((await postJson(url, JSON.stringify(sampleEvent('big', { payload: { pad: 'x'.repeat(600) } })))).status).toBe(413);
    // A batch of 5 items: 2 new, 2 seen (one from the single route, one repeated inside), 1 invalid.
    const batch = [sampleEvent('b1'), sampleEvent('m0'), sampleEvent('b2'), sampleEvent('b1'), { user_id: 'no fields' }];
    const answer = await postJson(`${url}/batch`, JSON.stringify(batch));
    expect(answer.json).toMatchObject({ accepted: 2, duplicates: 2, invalid: 1 });

    // Past the reuse time of the snapshot the first scrape read (so the gauges are read afresh).
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_REUSE_MS + 50));
    const after = await scrape(base);
    const delta = (outcome: string, route: string) => events(after, outcome, route) - events(before, outcome, route);
    expect(delta('accepted', 'single')).toBe(accepted);
    expect(delta('duplicate', 'single')).toBe(duplicates);
    expect(delta('invalid', 'single')).toBe(invalid);
    expect(delta('rejected', 'single')).toBe(tooLarge);
    expect(delta('unavailable', 'single')).toBe(0);
    expect([delta('accepted', 'batch'), delta('duplicate', 'batch'), delta('invalid', 'batch')]).toEqual([2, 2, 1]);
    expect(after.get('ddup_duplicate_age_seconds_count')).toBe(duplicates + 2);
    // Every duplicate here came within seconds of its original.
    expect(after.get('ddup_duplicate_age_seconds_bucket{le="30"}')).toBe(duplicates + 2);
    const requests = accepted + duplicates + invalid + tooLarge;
    expect(after.get('ddup_request_duration_seconds_count{route="single",status="2xx"}')).toBe(accepted);
    expect(after.get('ddup_request_duration_seconds_count{route="single",status="4xx"}')).toBe(requests - accepted);
    expect(after.get('ddup_request_duration_seconds_count{route="batch",status="2xx"}')).toBe(1);

    // The gauges: 9 events on the two shards' streams, nobody consuming, all of them remembered.
    const shardSum = (name: string) => (after.get(`${name}{shard="0"}`) ?? Number.NaN) + (after.get(`${name}{shard="1"}`) ?? Number.NaN);
    expect(shardSum('ddup_stream_length')).toBe(accepted + 2);
    expect(shardSum('ddup_stream_lag')).toBe(accepted + 2);
    expect(shardSum('ddup_stream_pending')).toBe(0);
    expect(shardSum('ddup_consumers')).toBe(0);
    expect(shardSum('ddup_dead_letters')).toBe(0);
    expect(after.get('ddup_remembered_events')).toBe(accepted + 2);
    expect(after.get('ddup_redis_up')).toBe(1);
    expect(after.get('ddup_redis_used_memory_bytes{master="0"}')).toBeGreaterThan(100_000);

    // A reader of the workers' group takes 3 entries of shard 0 and holds them: pending, lag, its age.
    const client = await redis.client();
    const workers = StreamGroup.ofEvents(CONSUMER_GROUP, 2);
    await workers.ensure(client, '0');
    await workers.read(client, 'holder', [[eventsStreamKey(0), NEW_ENTRIES]], 3);
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_REUSE_MS + 1_050));
    const held = await scrape(base);
    const heldSum = (name: string) => (held.get(`${name}{shard="0"}`) ?? Number.NaN) + (held.get(`${name}{shard="1"}`) ?? Number.NaN);
    expect(held.get('ddup_stream_pending{shard="0"}')).toBe(3);
    expect(held.get('ddup_consumers{shard="0"}')).toBe(1);
    expect(heldSum('ddup_stream_lag')).toBe(shardSum('ddup_stream_lag') - 3);
    expect(held.get('ddup_oldest_pending_seconds{shard="0"}')).toBeGreaterThanOrEqual(1);
    expect(held.get('ddup_oldest_pending_seconds{shard="1"}') ?? 0).toBe(0);
  });

  it('with TENANTS_FILE: counts by tenant, a batch refused by the rate limit item by item, a 401 as unauthenticated, and remembers every space', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddup-metrics-tenants-'));
    try {
      const digest = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
      const file = join(dir, 'tenants.json');
      writeFileSync(
        file,
        JSON.stringify({
          tenants: [
            { id: 'acme', api_keys: [digest('acme-metrics-key-0123')], window_seconds: 600 },
            { id: 'slow', api_keys: [digest('slow-metrics-key-0123')], rate_limit_per_second: 1, rate_limit_burst: 3 },
          ],
        }),
      );
      const other = await startTestRedis();
      try {
        const base = await served.serve(await startTestGateway({ REDIS_URL: other.url, TENANTS_FILE: file, STREAM_SHARDS: '2', INDEX_CAPACITY: '2000' }));
        const url = `${base}${API_PREFIX}/events`;
        const as = (key: string) => ({ authorization: `Bearer ${key}` });
        for (let n = 0; n < 4; n++) expect((await postJson(url, JSON.stringify(sampleEvent(`t${n}`)), as('acme-metrics-key-0123'))).status).toBe(202);
        expect((await postJson(url, JSON.stringify(sampleEvent('t0')), as('acme-metrics-key-0123'))).status).toBe(409);
        for (let n = 0; n < 2; n++) expect((await postJson(url, JSON.stringify(sampleEvent(`s${n}`)), as('slow-metrics-key-0123'))).status).toBe(202);
        // One token left of three: a batch of 5 is refused whole, and counts as 5 rejected events.
        const batch = Array.from({ length: 5 }, (_, n) => sampleEvent(`sb${n}`));
        expect((await postJson(`${url}/batch`, JSON.stringify(batch), as('slow-metrics-key-0123'))).status).toBe(429);
        expect((await postJson(url, JSON.stringify(sampleEvent('nobody')))).status).toBe(401);

        await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_REUSE_MS + 50));
        const after = await scrape(base);
        expect([events(after, 'accepted', 'single', 'acme'), events(after, 'duplicate', 'single', 'acme')]).toEqual([4, 1]);
        expect(events(after, 'accepted', 'single', 'slow')).toBe(2);
        expect(events(after, 'rejected', 'batch', 'slow')).toBe(5);
        expect(events(after, 'rejected', 'single', 'unauthenticated')).toBe(1);
        // Both tenants' spaces, each within its window (20 buckets per shard: all read, exact).
        expect(after.get('ddup_remembered_events')).toBe(6);
      } finally {
        await other.cleanup();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts events refused while Redis is away as unavailable, and says Redis is down instead of failing the scrape', async () => {
    const port = await freePort();
    const gateway = createGateway(
      parseGatewayConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '200' }),
      createLogger('test', 'error'),
    );
    const base = await served.serve(gateway);
    for (let n = 0; n < 3; n++) expect((await postJson(`${base}${API_PREFIX}/events`, JSON.stringify(sampleEvent(`u${n}`)))).status).toBe(503);
    const samples = await scrape(base);
    expect(events(samples, 'unavailable', 'single')).toBe(3);
    expect(samples.get('ddup_redis_up')).toBe(0);
    expect(samples.has('ddup_stream_length{shard="0"}')).toBe(false);
  });
});
