import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { createLogger } from '@ddup/runtime';
import { eventsStreamKey } from '@ddup/store';
import { type TestRedis, eventually, sampleEvent, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../../app.ts';
import { parseGatewayConfig } from '../../env.ts';
import { createGateway, type Gateway } from '../../gateway.ts';
import { GatewayMetrics } from '../../metrics/gateway-metrics.ts';
import { DashboardStreamReader } from '../../../test/dashboard-stream-reader.ts';
import { startTestGateway, stopTestGateway } from '../../../test/test-gateway.ts';
import { DashboardFeed } from './dashboard-feed.ts';
import { type DashboardDependencies, dashboardRoutes } from './dashboard-routes.ts';
import { DASHBOARD_CSP } from './security-headers.ts';

// The dashboard's routes in memory (app.request) on a gateway with a real Redis: the page and
// its headers, the assets, and the server-sent figures, including with Redis away.

const logger = createLogger('test', 'error');
let redis: TestRedis;
let gateway: Gateway;
const others: Gateway[] = [];

/** A dashboard app on a feed ticking every 20 ms over fresh counters (no store). */
function feedApp(deps: Pick<DashboardDependencies, 'streamLimits' | 'settings' | 'adminEnabled'>) {
  const metrics = new GatewayMetrics();
  const feed = new DashboardFeed({ metrics }, { tickMs: 20 }).start();
  const app = new Hono().route('/dashboard', dashboardRoutes({ feed, logger, ...deps }));
  return { metrics, feed, app };
}

async function stream(app: Hono): Promise<DashboardStreamReader> {
  const response = await app.request('http://localhost/dashboard/stream');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return new DashboardStreamReader(response);
}

beforeAll(async () => {
  redis = await startTestRedis();
  gateway = await startTestGateway({ REDIS_URL: redis.url, STREAM_SHARDS: '2', INDEX_CAPACITY: '5000', DEDUP_WINDOW_SECONDS: '3600' });
});

afterAll(async () => {
  for (const other of [gateway, ...others]) await stopTestGateway(other);
  await redis.cleanup();
});

describe('GET /dashboard', () => {
  it('serves the page under a self-only CSP, with no inline script or style and nothing from another host', async () => {
    const response = await gateway.app.request('http://localhost/dashboard');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await response.text();
    const elements = [...page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    // The one data block (never run, so the CSP allows it): the figures as the page was made.
    const data = elements.filter((match) => match[0].startsWith('<script type="application/json" id="initial-figures">'));
    expect(data).toHaveLength(1);
    expect(data[0]?.[1]).not.toContain('<');
    expect(JSON.parse(data[0]?.[1] ?? '')).toMatchObject({ figures: { events: { accepted: expect.any(Number) } }, settings: { stream_shards: 2 } });
    const scripts = elements.filter((match) => !data.includes(match));
    expect(scripts.map((match) => /src="([^"]+)"/.exec(match[0])?.[1])).toEqual(['dashboard/assets/uPlot.iife.min.js', 'dashboard/assets/dashboard.js']);
    expect(scripts.every((match) => match[1] === '')).toBe(true);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    // The settings in force, rendered on the server.
    expect(page).toContain('<dd data-testid="setting-window">1 h</dd>');
    expect(page).toContain('<dd data-testid="setting-shards">2</dd>');
    expect(page).toContain('<dd data-testid="setting-form">python</dd>');
  });

  it('serves its script, style and uPlot from this gateway, with an ETag, and 404 for any other name', async () => {
    const types: Record<string, RegExp> = {
      'dashboard.js': /^text\/javascript/,
      'dashboard.css': /^text\/css/,
      'uPlot.iife.min.js': /^text\/javascript/,
      'uPlot.min.css': /^text\/css/,
    };
    for (const [name, type] of Object.entries(types)) {
      const response = await gateway.app.request(`http://localhost/dashboard/assets/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type'), name).toMatch(type);
      expect((await response.text()).length, name).toBeGreaterThan(500);
      const etag = response.headers.get('etag') ?? '';
      const again = await gateway.app.request(`http://localhost/dashboard/assets/${name}`, { headers: { 'if-none-match': etag } });
      expect(again.status, name).toBe(304);
    }
    expect(await (await gateway.app.request('http://localhost/dashboard/assets/uPlot.iife.min.js')).text()).toContain('uPlot');
    for (const path of ['/dashboard/assets/nope.js', '/dashboard/assets/..%2Fdashboard-routes.ts', '/dashboard/assets/%2E%2E%2Fpackage.json']) {
      const response = await gateway.app.request(`http://localhost${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ code: 'not_found' });
    }
  });
});

describe('GET /dashboard/stream', () => {
  it('sends the figures at once, then what changes: events counted, the shards, the settings', async () => {
    const reader = await stream(gateway.app);
    const first = await reader.next();
    expect(reader.raw[0]).toMatch(/^event: figures\ndata: .*\nretry: 2000$/);
    expect(first).toMatchObject({
      figures: { events: { accepted: 0, duplicate: 0, invalid: 0, unavailable: 0, rejected: 0 }, duplicate_ratio: null, latency_ms: null },
      store_error: null,
      settings: { window_seconds: 3600, stream_shards: 2, canonical_form: 'python', index_capacity: 5000, durability: 'memory' },
      admin_enabled: false,
    });
    expect(first.store?.shards.map((shard) => shard.stream)).toEqual([eventsStreamKey(0), eventsStreamKey(1)]);
    expect(Array.isArray(first.rates)).toBe(true);

    const post = (event: unknown) =>
      gateway.app.request(`http://localhost${API_PREFIX}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      });
    for (const n of [1, 2, 3]) expect((await post(sampleEvent(`s${n}`))).status).toBe(202);
    expect((await post(sampleEvent('s1'))).status).toBe(409);
    const later = await reader.until((message) => message.figures.events.accepted === 3 && message.store?.totals.length === 3);
    expect(later.figures.events.duplicate).toBe(1);
    expect(later.figures.duplicate_ratio).toBe(0.25);
    expect(later.figures.latency_ms?.p99).toBeGreaterThan(0);
    // Nobody consumes here: all three wait in the streams, none pending, no consumer.
    expect(later.store?.totals).toMatchObject({ length: 3, lag: 3, pending: 0, dead_letters: 0, consumers: 0 });
    expect(later.store?.remembered_events).toBe(3);
    expect(later.store?.bytes_per_remembered_event).toBeGreaterThan(0);
    await reader.close();
  });

  it('says Redis does not answer, and goes on sending the counters', async () => {
    const port = await freePort();
    const down = createGateway(parseGatewayConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '200' }), logger);
    others.push(down);
    await down.app.request(`http://localhost${API_PREFIX}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const reader = await stream(down.app);
    const message = await reader.next();
    expect(message.store).toBeNull();
    expect(message.store_error).toEqual(expect.any(String));
    expect(message.store_error?.length).toBeGreaterThan(0);
    expect(message.figures.events.invalid).toBe(1);
    await reader.close();
  });
});

describe('the dashboard feed', () => {
  it('keeps serving a viewer while another takes nothing, and drops each viewer when it hangs up', async () => {
    const { metrics, feed, app } = feedApp({
      streamLimits: { maxStreams: 10, maxStreamMs: 60_000 },
      settings: { windowSeconds: 3600, streamShards: 1, canonicalForm: 'jcs', indexCapacity: 1, durability: 'memory', tenants: () => [] },
      adminEnabled: true,
    });
    try {
      const stalled = await stream(app);
      const reader = await stream(app);
      await eventually('both viewers subscribed', () => feed.viewers === 2);
      const first = await reader.next();
      // Without a store (the bench's in-memory app): counters only, and no error.
      expect(first).toMatchObject({ store: null, store_error: null, admin_enabled: true });
      metrics.countEvents('single', 'accepted', 'default', 7);
      const counted = await reader.until((message) => message.figures.events.accepted === 7, 200);
      expect(counted.rates.length).toBeGreaterThan(0);
      // Later messages carry only the points this viewer has not had.
      const next = await reader.next();
      expect(next.rates.every((point) => point.at_ms > (counted.rates.at(-1)?.at_ms ?? 0))).toBe(true);
      for (let n = 0; n < 5; n++) await reader.next();
      expect(feed.viewers).toBe(2);
      await reader.close();
      await eventually('the viewer that hung up is dropped', () => feed.viewers === 1);
      await stalled.close();
      await eventually('the stalled viewer is dropped', () => feed.viewers === 0);
    } finally {
      feed.stop();
    }
  });

  it('cuts a viewer that stops taking messages, and keeps one that reads', async () => {
    const { feed, app } = feedApp({
      streamLimits: { maxStreams: 10, maxStreamMs: 60_000, stalledWriteMs: 300 },
      settings: { windowSeconds: 3600, streamShards: 1, canonicalForm: 'jcs', indexCapacity: 1, durability: 'memory', tenants: () => [] },
      adminEnabled: false,
    });
    try {
      const stalled = await stream(app);
      const reader = await stream(app);
      await eventually('both viewers subscribed', () => feed.viewers === 2);
      const startedAt = Date.now();
      let messages = 0;
      while (feed.viewers === 2 && Date.now() - startedAt < 5_000) {
        await reader.next();
        messages++;
      }
      expect(feed.viewers).toBe(1);
      // The reading viewer goes on.
      for (let n = 0; n < 3; n++) await reader.next();
      expect(messages).toBeGreaterThan(3);
      await reader.close();
      await stalled.close();
    } finally {
      feed.stop();
    }
  });

  it('ends every stream when closed (a shutdown), and any opened after', async () => {
    const { feed, app } = feedApp({
      streamLimits: { maxStreams: 10, maxStreamMs: 60_000 },
      settings: { windowSeconds: 60, streamShards: 1, canonicalForm: 'python', indexCapacity: 1, durability: 'memory', tenants: () => [] },
      adminEnabled: false,
    });
    const open = await stream(app);
    await open.next();
    feed.close();
    await expect(open.until(() => false)).rejects.toThrow('the dashboard stream ended');
    await eventually('the closed stream is unsubscribed', () => feed.viewers === 0);
    const late = await stream(app);
    await expect(late.next()).rejects.toThrow('the dashboard stream ended');
  });
});
