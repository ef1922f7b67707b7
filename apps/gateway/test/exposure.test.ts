/**
 * A gateway reachable beyond this machine, or from a browser (issue 19, item 9), as its own
 * process over real HTTP: it warns at start when it listens beyond loopback without TENANTS_FILE
 * or METRICS_TOKEN; METRICS_TOKEN guards /metrics and the dashboard's stream; an open gateway
 * refuses a write a browser sends from another site (Origin); a loopback gateway refuses a Host
 * that is not a loopback name (DNS rebinding). Clients that are not browsers see no change.
 */
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent, useTestRedis, type GatewayProcess, startGatewayProcess } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { chromiumMissing, launchChromium } from './dashboard-browser.ts';

// The DOM the page functions use (the workspace is type-checked without lib "dom").
declare const document: { querySelector(selector: string): { readonly textContent: string | null } | null };

const METRICS_TOKEN = 'exposure-metrics-token-0123456789abcdef';
const test = useTestRedis();
const started: GatewayProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((gateway) => gateway.service.stop('SIGKILL')));
});

async function start(env: Record<string, string>): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({ REDIS_URL: test.redis.url, LOG_LEVEL: 'info', ...env });
  started.push(gateway);
  return gateway;
}

/** A GET with the `Host` header given (fetch would not let it be chosen): status and body. */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('a gateway listening beyond this machine', () => {
  it('warns at start without TENANTS_FILE and without METRICS_TOKEN', async () => {
    const gateway = await start({ HOST: '0.0.0.0' });
    await gateway.service.waitForOutput(/beyond this machine with no METRICS_TOKEN/);
    expect(gateway.service.output()).toMatch(/listening on 0\.0\.0\.0:\d+ beyond this machine with no TENANTS_FILE/);
  });

  it('with METRICS_TOKEN, serves /metrics and the dashboard stream only with it', async () => {
    const gateway = await start({ HOST: '0.0.0.0', METRICS_TOKEN });
    const base = `http://127.0.0.1:${gateway.port}`;
    expect(gateway.service.output()).not.toContain('no METRICS_TOKEN');
    const open = await fetch(`${base}/metrics`);
    expect(open.status).toBe(401);
    expect(await open.json()).toMatchObject({ code: 'unauthorized' });
    const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('ddup_events_total');
    const stream = await fetch(`${base}/dashboard/stream`);
    expect(stream.status).toBe(401);
    await stream.arrayBuffer();
    const watched = await fetch(`${base}/dashboard/stream?token=${METRICS_TOKEN}`);
    expect(watched.status).toBe(200);
    expect(watched.headers.get('content-type')).toContain('text/event-stream');
    await watched.body?.cancel();
    // The page stays public, but carries the figures only for a request with the token.
    const page = await fetch(`${base}/dashboard`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('initial-figures');
    const shown = await fetch(`${base}/dashboard?token=${METRICS_TOKEN}`);
    expect(await shown.text()).toContain('<script type="application/json" id="initial-figures">');
  });

  it.skipIf(chromiumMissing() !== undefined)(
    'with METRICS_TOKEN, the dashboard opened as /dashboard?token= goes live in a browser',
    async () => {
      const gateway = await start({ HOST: '0.0.0.0', METRICS_TOKEN });
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${gateway.port}/dashboard?token=${METRICS_TOKEN}`);
        await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent === 'live', { timeout: 15_000 });
        // Without it the stream is refused: the page never goes live.
        const refused = await browser.newPage();
        await refused.goto(`http://127.0.0.1:${gateway.port}/dashboard`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        expect(await refused.$eval('[data-testid="connection"]', (element) => element.textContent)).not.toBe('live');
      } finally {
        await browser.close();
      }
    },
    40_000,
  );
});

describe('an open gateway (no TENANTS_FILE) and browsers', () => {
  it('refuses a cross-site text/plain POST (403, nothing stored), and takes same-origin and non-browser posts as before', async () => {
    const gateway = await start({ HOST: '0.0.0.0' });
    const base = `http://127.0.0.1:${gateway.port}`;
    const body = JSON.stringify(sampleEvent(`cross-site-${Date.now()}`));
    const crossSite = await fetch(`${base}${API_PREFIX}/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
      body,
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: 'cross_site_request' });
    const batch = await fetch(`${base}${API_PREFIX}/events/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'null' },
      body: `[${body}]`,
    });
    expect(batch.status).toBe(403);
    await batch.arrayBuffer();
    // Not stored: the same event is new to a client that is not a browser.
    const plain = await fetch(`${base}${API_PREFIX}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(plain.status).toBe(202);
    await plain.arrayBuffer();
    const sameOrigin = await fetch(`${base}${API_PREFIX}/events`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body });
    expect(sameOrigin.status).toBe(409);
    await sameOrigin.arrayBuffer();
  });

  it('on loopback, answers only to loopback host names (DNS rebinding gets 421)', async () => {
    const gateway = await start({ HOST: '127.0.0.1' });
    expect(gateway.service.output()).not.toContain('beyond this machine');
    const rebound = await getWithHost(gateway.port, '/metrics', `attacker.example:${gateway.port}`);
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: 'misdirected_request' });
    for (const host of [`localhost:${gateway.port}`, `127.0.0.1:${gateway.port}`, 'LOCALHOST']) {
      expect((await getWithHost(gateway.port, '/healthz', host)).status, host).toBe(200);
    }
  });
});
