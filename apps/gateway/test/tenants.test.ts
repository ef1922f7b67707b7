import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsStreamKey, idempotencyKeyPattern, readEventEntries } from '@ddup/store';
import { type TestRedis, eventually, postJson, sampleEvent, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { type GatewayProcess, startGatewayProcess } from './gateway-process.ts';
import { ServedGateways, startTestGateway } from './test-gateway.ts';

// Tenants over real HTTP (Node fetch) on a real Redis: API keys, separate dedup spaces, key
// fields, Idempotency-Key, the sliding window, a rate limit shared by two gateway processes, and
// a SIGHUP reload.

const digest = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const KEYS = { acme: 'acme-key-0123456789', globex: 'globex-key-0123456789', debounce: 'debounce-key-0123456789' };

let redis: TestRedis;
let dir: string;
const served = new ServedGateways();
const processes: GatewayProcess[] = [];

function tenantsFile(name: string, tenants: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ tenants }));
  return path;
}

async function serve(env: Record<string, string>): Promise<string> {
  return served.serve(await startTestGateway({ REDIS_URL: redis.url, ...env }));
}

const post = (base: string, body: unknown, headers: Record<string, string> = {}) => postJson(`${base}${API_PREFIX}/events`, JSON.stringify(body), headers);
const as = (key: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...more });

let base: string;
const ADMIN_TOKEN = 'admin-token-0123456789';

beforeAll(async () => {
  redis = await startTestRedis();
  dir = mkdtempSync(join(tmpdir(), 'ddup-tenants-http-'));
  const file = tenantsFile('tenants.json', [
    { id: 'acme', api_keys: [digest(KEYS.acme)], window_seconds: 7200, key_fields: ['user_id', 'event_type', 'payload.order_id'] },
    { id: 'globex', api_keys: [digest(KEYS.globex)] },
    { id: 'debounce', api_keys: [digest(KEYS.debounce)], window_seconds: 2, refresh_on_duplicate: true },
  ]);
  base = await serve({ TENANTS_FILE: file, DDUP_ADMIN_TOKEN: ADMIN_TOKEN });
});

afterAll(async () => {
  for (const gateway of processes) await gateway.service.stop();
  await served.closeAll();
  await redis.cleanup();
});

describe('API keys', () => {
  it('answers 401 JSON without a key or with an unknown one, on both event routes; health and test routes stay open', async () => {
    for (const headers of [{}, as('not-a-key'), { 'x-api-key': 'nope' }, { authorization: 'Basic abc' }] as Record<string, string>[]) {
      const answer = await post(base, sampleEvent('auth'), headers);
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ code: 'unauthorized', detail: expect.any(String) });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      const batch = await postJson(`${base}${API_PREFIX}/events/batch`, JSON.stringify([sampleEvent('auth')]), headers);
      expect(batch.status).toBe(401);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}${API_PREFIX}/test`)).status).toBe(200);
  });

  it('takes the key as a bearer token or as X-API-Key', async () => {
    expect((await post(base, sampleEvent('bearer'), as(KEYS.globex))).status).toBe(202);
    expect((await post(base, sampleEvent('bearer'), { 'x-api-key': KEYS.globex })).status).toBe(409);
  });
});

describe('dedup spaces', () => {
  it('keeps tenants apart: the same event from two tenants is two new events, each a duplicate within its own tenant', async () => {
    const event = sampleEvent('shared', { payload: { order_id: 1 } });
    expect((await post(base, event, as(KEYS.acme))).status).toBe(202);
    expect((await post(base, event, as(KEYS.globex))).status).toBe(202);
    expect((await post(base, event, as(KEYS.acme))).status).toBe(409);
    expect((await post(base, event, as(KEYS.globex))).status).toBe(409);
    const entries = await readEventEntries(await redis.client(), eventsStreamKey(0));
    const tenants = entries.map((entry) => entry.tenant);
    expect(tenants).toEqual(expect.arrayContaining(['acme', 'globex']));
  });

  it('keys on the tenant’s key fields: a difference outside them is a duplicate, inside them a new event', async () => {
    const first = sampleEvent('keyed', { timestamp: '2026-01-01T00:00:00Z', payload: { order_id: 42, note: 'first try' } });
    const retry = { ...first, timestamp: '2026-01-01T00:00:05Z', payload: { order_id: 42, note: 'retried' } };
    const otherOrder = { ...first, payload: { order_id: 43, note: 'first try' } };
    const accepted = await post(base, first, as(KEYS.acme));
    expect(accepted.status).toBe(202);
    const duplicate = await post(base, retry, as(KEYS.acme));
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.hash).toBe(accepted.json.hash);
    expect((await post(base, otherOrder, as(KEYS.acme))).status).toBe(202);
    // globex keys on the whole event: the retry is new there.
    expect((await post(base, first, as(KEYS.globex))).status).toBe(202);
    expect((await post(base, retry, as(KEYS.globex))).status).toBe(202);
  });
});

describe('the admin lookup', () => {
  it("looks in the named tenant's space and shows its window in expires_at; ?tenant is required, an unknown one is 404", async () => {
    const accepted = await post(base, sampleEvent('looked-up', { payload: { order_id: 99 } }), as(KEYS.acme));
    expect(accepted.status).toBe(202);
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const lookup = (query: string) => fetch(`${base}/admin/events/${String(accepted.json.hash)}${query}`, { headers: admin });
    const found = await lookup('?tenant=acme');
    expect(found.status).toBe(200);
    const body = (await found.json()) as { first_seen_at: string; expires_at: string; state: string };
    // acme's window is 7200 s: expires a second (the rounding of first_seen_at) plus the window later.
    expect(Date.parse(body.expires_at) - Date.parse(body.first_seen_at)).toBe(7_201_000);
    expect((await lookup('?tenant=globex')).status).toBe(404);
    expect((await lookup('?tenant=nobody')).status).toBe(404);
    const missing = await lookup('');
    expect(missing.status).toBe(422);
  });
});

describe('Idempotency-Key', () => {
  it('same key and content: 409; same key, other content: 422 idempotency_key_reused; empty or over 255 characters: 400', async () => {
    const event = sampleEvent('idem');
    expect((await post(base, event, as(KEYS.globex, { 'idempotency-key': 'order-7' }))).status).toBe(202);
    const again = await post(base, event, as(KEYS.globex, { 'idempotency-key': 'order-7' }));
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('duplicate');
    const reused = await post(base, sampleEvent('idem-other'), as(KEYS.globex, { 'idempotency-key': 'order-7' }));
    expect(reused.status).toBe(422);
    expect(reused.json.code).toBe('idempotency_key_reused');
    // Per tenant: acme never used that key.
    expect((await post(base, sampleEvent('idem-other'), as(KEYS.acme, { 'idempotency-key': 'order-7' }))).status).toBe(202);
    for (const key of ['', '   ', 'k'.repeat(256)]) {
      const bad = await post(base, sampleEvent('idem-bad'), as(KEYS.globex, { 'idempotency-key': key }));
      expect(bad.status).toBe(400);
      expect(bad.json.code).toBe('invalid_idempotency_key');
    }
    expect((await post(base, sampleEvent('idem-long'), as(KEYS.globex, { 'idempotency-key': 'k'.repeat(255) }))).status).toBe(202);
  });

  it('combines with content deduplication: a new key on content already seen is still a 409', async () => {
    const event = sampleEvent('idem-content');
    expect((await post(base, event, as(KEYS.globex, { 'idempotency-key': 'a' }))).status).toBe(202);
    expect((await post(base, event, as(KEYS.globex, { 'idempotency-key': 'b' }))).status).toBe(409);
  });

  it('guards a batch as a whole: the same body again gets its items back as duplicates, another body 422', async () => {
    const url = `${base}${API_PREFIX}/events/batch`;
    const body = JSON.stringify([sampleEvent('ib1'), sampleEvent('ib2')]);
    const first = await postJson(url, body, as(KEYS.globex, { 'idempotency-key': 'batch-1' }));
    expect(first.json).toMatchObject({ accepted: 2 });
    const again = await postJson(url, body, as(KEYS.globex, { 'idempotency-key': 'batch-1' }));
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 2 });
    const other = await postJson(url, JSON.stringify([sampleEvent('ib3')]), as(KEYS.globex, { 'idempotency-key': 'batch-1' }));
    expect(other.status).toBe(422);
    expect(other.json.code).toBe('idempotency_key_reused');
  });
});

describe('refresh_on_duplicate', () => {
  it('keeps a repeated event a duplicate for as long as it keeps coming, then forgets it after a quiet window', async () => {
    const event = sampleEvent('debounced');
    expect((await post(base, event, as(KEYS.debounce))).status).toBe(202);
    // Repeats every ~1.2 s for ~3.6 s: longer than the 2 s window, and each a duplicate.
    for (let k = 0; k < 3; k++) {
      await sleep(1_200);
      expect((await post(base, event, as(KEYS.debounce))).status).toBe(409);
    }
    // Quiet for a window (and the second the window rounds to): new again.
    await sleep(3_100);
    expect((await post(base, event, as(KEYS.debounce))).status).toBe(202);
  });
});

describe('rate limits', () => {
  it('shares one tenant’s limit across two gateway processes: past it, 429 with Retry-After, counted as rejected', async () => {
    const file = tenantsFile('limited.json', [{ id: 'limited', api_keys: [digest('limited-key-0123456789')], rate_limit_per_second: 5, rate_limit_burst: 10 }]);
    const env = { REDIS_URL: redis.url, TENANTS_FILE: file };
    const [one, two] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    if (!one || !two) throw new Error('two gateways');
    processes.push(one, two);
    const urls = [one, two].map((gateway) => `http://127.0.0.1:${gateway.port}`);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => post(urls[n % 2] ?? '', sampleEvent(`rl${n}`), as('limited-key-0123456789'))));
    const statuses = answers.map((answer) => answer.status);
    // A burst of 10 for both together (plus at most a token or two refilled meanwhile), not 10 each:
    // a limit per process would have let all 20 through. Which process met the empty bucket first
    // depends on timing, so the test does not ask that both were refused.
    expect(statuses.filter((status) => status === 202).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((status) => status === 202).length).toBeLessThanOrEqual(12);
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(8);
    for (const answer of limited) {
      expect(answer.json.code).toBe('rate_limited');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const metrics = await Promise.all(urls.map(async (url) => (await fetch(`${url}/metrics`)).text()));
    const rejected = metrics
      .map((text) => Number(/^ddup_events_total\{outcome="rejected",route="single",tenant="limited"\} (\d+)$/m.exec(text)?.[1] ?? 0))
      .reduce((sum, count) => sum + count, 0);
    expect(rejected).toBe(limited.length);
  });

  it('takes a token for a batch with no valid item too, and records no Idempotency-Key for it', async () => {
    const file = tenantsFile('trickle.json', [
      { id: 'trickle', api_keys: [digest('trickle-key-0123456789')], rate_limit_per_second: 0.1, rate_limit_burst: 3 },
    ]);
    const trickle = await serve({ TENANTS_FILE: file });
    const statuses: number[] = [];
    for (let n = 0; n < 10; n++) {
      const body = n % 2 === 0 ? '[]' : '[{}]';
      const headers = as('trickle-key-0123456789', { 'idempotency-key': `empty-${n}` });
      statuses.push((await postJson(`${trickle}${API_PREFIX}/events/batch`, body, headers)).status);
    }
    // A burst of 3 (a token back every 10 s): the rest are refused, as they would be with events in them.
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(6);
    const client = await redis.client();
    expect(await client.keys(idempotencyKeyPattern('trickle'))).toEqual([]);
  });

  it('bounds the Idempotency-Keys a tenant holds (max_idempotency_keys): past it 429 quota_exceeded, counted; other tenants go on', async () => {
    const file = tenantsFile('capped.json', [
      { id: 'capped', api_keys: [digest('capped-key-0123456789')], max_idempotency_keys: 5 },
      { id: 'free', api_keys: [digest('free-key-0123456789')] },
    ]);
    const capped = await serve({ TENANTS_FILE: file });
    const send = (key: string, n: number) => post(capped, sampleEvent(`quota-${key}-${n}`), as(key, { 'idempotency-key': `${key}-${n}` }));
    const answers = [];
    for (let n = 0; n < 12; n++) answers.push(await send('capped-key-0123456789', n));
    expect(answers.slice(0, 5).map((answer) => answer.status)).toEqual([202, 202, 202, 202, 202]);
    const refused = answers.slice(5);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.json).toMatchObject({ code: 'quota_exceeded', max_idempotency_keys: 5 });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // A key already held still answers as before, and the same tenant may still post without a key.
    expect((await send('capped-key-0123456789', 0)).status).toBe(409);
    expect((await post(capped, sampleEvent('quota-no-key'), as('capped-key-0123456789'))).status).toBe(202);
    for (let n = 0; n < 8; n++) expect((await send('free-key-0123456789', n)).status).toBe(202);
    const client = await redis.client();
    expect(await client.keys(idempotencyKeyPattern('capped'))).toHaveLength(5);
    const metrics = await (await fetch(`${capped}/metrics`)).text();
    expect(metrics).toMatch(/^ddup_refusals_total\{reason="quota_exceeded",tenant="capped"\} 7$/m);
  });

  it('rereads TENANTS_FILE on SIGHUP: a new key works at once, a removed one is refused, nothing restarts or drops a request', async () => {
    const steady = { id: 'steady', api_keys: [digest('steady-key-0123456789')] };
    const file = tenantsFile('reload.json', [{ id: 'rotating', api_keys: [digest('old-key-0123456789')] }, steady]);
    const gateway = await startGatewayProcess({ REDIS_URL: redis.url, TENANTS_FILE: file, LOG_LEVEL: 'info' });
    processes.push(gateway);
    const url = `http://127.0.0.1:${gateway.port}`;
    expect((await post(url, sampleEvent('r1'), as('old-key-0123456789'))).status).toBe(202);
    expect((await post(url, sampleEvent('r2'), as('new-key-0123456789'))).status).toBe(401);

    // A client of a tenant every file keeps posts new events throughout the reloads: each must get its 202.
    let loading = true;
    const statuses: (number | string)[] = [];
    const load = (async () => {
      for (let n = 0; loading; n++) {
        statuses.push(
          await post(url, sampleEvent(`steady-${n}`), as('steady-key-0123456789')).then(
            (answer) => answer.status,
            (error: unknown) => String(error),
          ),
        );
      }
    })();

    const added = { id: 'added', api_keys: [digest('added-key-0123456789')] };
    writeFileSync(file, JSON.stringify({ tenants: [{ id: 'rotating', api_keys: [digest('new-key-0123456789')] }, steady, added] }));
    for (let k = 0; k < 5; k++) {
      process.kill(gateway.pid, 'SIGHUP');
      await sleep(50);
    }
    await eventually('reloaded', () => gateway.service.output().includes('tenants reloaded'));
    expect((await post(url, sampleEvent('r2'), as('new-key-0123456789'))).status).toBe(202);
    expect((await post(url, sampleEvent('r3'), as('old-key-0123456789'))).status).toBe(401);
    // Same tenant, same space: r1 is still remembered.
    expect((await post(url, sampleEvent('r1'), as('new-key-0123456789'))).status).toBe(409);
    // A tenant the reload added has its series at once, at 0.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('ddup_events_total{outcome="accepted",route="single",tenant="added"} 0');

    // A bad file is refused and the tenants in force stay.
    writeFileSync(file, '{"tenants": [{"id": "rotating"}]}');
    process.kill(gateway.pid, 'SIGHUP');
    await eventually('refused', () => gateway.service.output().includes('TENANTS_FILE not reloaded'));
    expect((await post(url, sampleEvent('r4'), as('new-key-0123456789'))).status).toBe(202);
    expect(gateway.service.output()).toMatch(/tenant \\"rotating\\" \(tenants\[0\]\) field api_keys/);
    loading = false;
    await load;
    expect(statuses.length).toBeGreaterThan(5);
    expect(new Set(statuses)).toEqual(new Set([202]));
  });
});
