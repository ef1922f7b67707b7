import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { createLogger } from '@ddup/runtime';
import { CONSUMER_GROUP, NEW_ENTRIES, SinkStreams, StreamGroup, deadLetterStreamKey, eventsStreamKey } from '@ddup/store';
import { postJson, sampleEvent, useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { parseGatewayConfig } from '../src/env.ts';
import { type Gateway, createGateway } from '../src/gateway.ts';
import { closeGracefully, listen } from '../src/http/node/server.ts';
import { type Browser, type Page, chromiumMissing, launchChromium } from './dashboard-browser.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

// The dashboard in a real browser (headless Chromium through puppeteer-core), served by the real
// gateway over HTTP on a real redis-server: the live figures follow what was posted and arranged
// in Redis, the dead letters are listed and replayed with the admin token, and a screenshot of
// the live page comes out as a sensible PNG.

// The little of the DOM that the functions run in the page use: this workspace is type-checked
// without lib "dom", and declaring it here keeps it out of every other file.
interface PageElement {
  readonly textContent: string | null;
  readonly hidden: boolean;
}
declare const document: { querySelector(selector: string): PageElement | null };
declare const window: { readonly pwned?: number };
declare const sessionStorage: { getItem(key: string): string | null };

const missing = chromiumMissing();
if (missing !== undefined && process.env.CI) throw new Error(`the dashboard browser tests must run in CI: ${missing}`);
if (missing !== undefined) console.warn(`skipping the dashboard browser tests: ${missing}`);

const TOKEN = 'dashboard-test-admin-token-0123456789';
const WAIT_MS = 15_000;

const test = useTestRedis();
let browser: Browser;
const running: { gateway: Gateway; server: Server }[] = [];

async function serve(gateway: Gateway): Promise<string> {
  const server = await listen(gateway.app, 0, '127.0.0.1');
  running.push({ gateway, server });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function openDashboard(base: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto(`${base}/dashboard`);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.textContent === 'live', { timeout: WAIT_MS });
  // A CSP violation or a script error would show up here (the page would still half work).
  expect(problems).toEqual([]);
  return page;
}

/** Waits until the element `testId` reads `text` (trimmed); fails with what it read last. */
async function showing(page: Page, testId: string, text: string): Promise<void> {
  try {
    await page.waitForFunction((id, want) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() === want, { timeout: WAIT_MS }, testId, text);
  } catch {
    const shown = await page.$eval(`[data-testid="${testId}"]`, (element) => element.textContent);
    throw new Error(`[data-testid=${testId}] shows ${JSON.stringify(shown)}, not ${JSON.stringify(text)}`);
  }
}

const textOf = (page: Page, testId: string) => page.$eval(`[data-testid="${testId}"]`, (element) => element.textContent?.trim() ?? '');

beforeAll(async () => {
  if (missing !== undefined) return;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const { gateway, server } of running) {
    await closeGracefully(server, 1_000);
    await stopTestGateway(gateway);
  }
});

describe.skipIf(missing !== undefined)('the dashboard in a browser', () => {
  let base: string;
  let page: Page;
  let pendingArranged = 0;
  const accepted = 12;

  beforeAll(async () => {
    base = await serve(await startTestGateway({ REDIS_URL: test.redis.url, STREAM_SHARDS: '2', INDEX_CAPACITY: '5000', DDUP_ADMIN_TOKEN: TOKEN }));
    page = await openDashboard(base);
  });

  it('shows N accepted after N posts, and the pending, lag and dead letters arranged in Redis', async () => {
    const url = `${base}${API_PREFIX}/events`;
    for (let n = 0; n < accepted; n++) expect((await postJson(url, JSON.stringify(sampleEvent(`d${n}`)))).status).toBe(202);
    for (let n = 0; n < 3; n++) expect((await postJson(url, JSON.stringify(sampleEvent(`d${n}`)))).status).toBe(409);
    for (let n = 0; n < 2; n++) expect((await postJson(url, '{"user_id": 1}')).status).toBe(422);

    // A consumer that took two entries of each shard and confirmed none of them.
    const client = await test.redis.client();
    const workers = StreamGroup.ofEvents(CONSUMER_GROUP, 2);
    await workers.ensure(client, '0');
    for (const stream of workers.streams) {
      const [read] = await workers.read(client, 'test-reader', [[stream, NEW_ENTRIES]], 2);
      pendingArranged += read?.entries.length ?? 0;
    }
    expect(pendingArranged).toBeGreaterThan(0);
    // Three dead letters, one carrying markup that must stay text on the page.
    const letters: [shard: number, id: string, reason: string, event: string][] = [
      [0, '1700000000000-1', 'no hash field after 5 deliveries', '{"payload":{},"user_id":"poison-1"}'],
      [0, '1700000000000-2', 'confirm failed after 5 deliveries', '{"payload":{"note":"<img src=x onerror=\\"window.pwned=1\\">"},"user_id":"poison-2"}'],
      // Entry ids are per shard stream: this one is also shard 0's first, and Replay must take only this.
      [1, '1700000000000-1', 'no hash field after 5 deliveries', '{"payload":{},"user_id":"poison-3"}'],
    ];
    for (const [shard, id, reason, event] of letters) {
      await client.sendCommand([
        'XADD',
        deadLetterStreamKey(shard),
        id,
        'source_id',
        `1-${id}`,
        'reason',
        reason,
        'deliveries',
        '5',
        'hash',
        'ab'.repeat(32),
        'event',
        event,
      ]);
    }

    await showing(page, 'accepted', String(accepted));
    await showing(page, 'duplicate', '3');
    await showing(page, 'invalid', '2');
    await showing(page, 'duplicate-ratio', `${((3 / (accepted + 3)) * 100).toFixed(1)} %`);
    await showing(page, 'pending', String(pendingArranged));
    await showing(page, 'lag', String(accepted - pendingArranged));
    await showing(page, 'length', String(accepted));
    await showing(page, 'dead-letters', '3');
    // One consumer, known on both shards, holding everything pending.
    await showing(page, 'consumers', '1');
    const consumerRows = await page.$$eval('#consumers tbody tr', (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
    expect(consumerRows.map((cells) => cells.slice(0, 3))).toEqual([['test-reader', 'all 2', String(pendingArranged)]]);
    const shardRows = await page.$$eval('#shards tbody tr', (rows) => rows.map((row) => row.cells[1]?.textContent));
    expect(shardRows).toEqual([eventsStreamKey(0), eventsStreamKey(1)]);
    // The public page never had a dead letter's content.
    expect(await page.content()).not.toContain('poison-');
    expect(await textOf(page, 'p99')).toMatch(/ ms$/);
    expect(await page.$$eval('.chart canvas', (canvases) => canvases.length)).toBe(3);

    // A sink's group (as a consumer with SINKS_FILE makes it) that has taken one entry of shard 0:
    // the sinks table shows its backlog, what it has not read and what it holds.
    const sink = new SinkStreams('hooks', 2);
    await sink.ensureGroups(client, 'earliest');
    await sink.group.read(client, 'deliverer', [[eventsStreamKey(0), NEW_ENTRIES]], 1);
    await page.waitForFunction(() => document.querySelector('#sinks-section')?.hidden === false, { timeout: WAIT_MS });
    const sinkRows = await page.$$eval('#sinks tbody tr', (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
    expect(sinkRows).toEqual([['hooks', String(accepted - 1), '1', '0']]);
  });

  it('lists the dead letters with the admin token, keeps markup as text, and replays one', async () => {
    expect(await page.$eval('[data-testid="admin-off"]', (element) => element.hidden)).toBe(true);
    await page.type('[data-testid="admin-token"]', 'not-the-token-at-all');
    await page.click('[data-testid="admin-load"]');
    await showing(page, 'admin-message', 'the token was refused');
    expect(await page.$eval('[data-testid="letters"]', (element) => element.hidden)).toBe(true);

    await page.type('[data-testid="admin-token"]', TOKEN);
    await page.click('[data-testid="admin-load"]');
    await showing(page, 'admin-message', '3 shown');
    const rows = await page.$$eval('#letters tbody tr', (trs) =>
      trs.map((tr) => ({ id: tr.dataset.id, shard: tr.dataset.shard, cells: [...tr.cells].map((cell) => cell.textContent) })),
    );
    expect(rows.map((row) => `${row.shard}/${row.id}`)).toEqual(['0/1700000000000-1', '0/1700000000000-2', '1/1700000000000-1']);
    expect(rows[1]?.cells.slice(0, 4)).toEqual(['0', '1700000000000-2', 'confirm failed after 5 deliveries', '5']);
    expect(rows[1]?.cells[4]).toContain('<img src=x onerror=');
    expect(await page.$$eval('#letters img', (images) => images.length)).toBe(0);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
    // The token stays in this tab's sessionStorage: not in the URL, not in the field.
    expect(page.url()).toBe(`${base}/dashboard`);
    expect(await page.evaluate(() => sessionStorage.getItem('ddup-admin-token'))).toBe(TOKEN);
    expect(await page.$eval('[data-testid="admin-token"]', (input) => input.value)).toBe('');

    const client = await test.redis.client();
    const lengthBefore = await client.xLen(eventsStreamKey(1));
    await page.click('#letters tr[data-shard="1"][data-id="1700000000000-1"] [data-testid="replay"]');
    await showing(page, 'admin-message', 'replayed 1700000000000-1 · 2 shown');
    await showing(page, 'dead-letters', '2');
    const left = await page.$$eval('#letters tbody tr', (trs) => trs.map((tr) => `${tr.dataset.shard}/${tr.dataset.id}`));
    expect(left).toEqual(['0/1700000000000-1', '0/1700000000000-2']);
    expect(await client.xLen(deadLetterStreamKey(1))).toBe(0);
    expect(await client.xLen(deadLetterStreamKey(0))).toBe(2);
    expect(await client.xLen(eventsStreamKey(1))).toBe(lengthBefore + 1);
  });

  it('shows the figures as they are when the page loads, before the stream says anything', async () => {
    const still = await browser.newPage();
    try {
      await still.setViewport({ width: 1280, height: 900 });
      // No stream at all: whatever the page shows, it had when it was made.
      await still.setRequestInterception(true);
      still.on('request', (request) => (request.url().endsWith('/dashboard/stream') ? void request.abort() : void request.continue()));
      await still.goto(`${base}/dashboard`, { waitUntil: 'load' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await textOf(still, 'connection')).not.toBe('live');
      expect(await textOf(still, 'accepted')).toBe(String(accepted));
      expect(await textOf(still, 'duplicate')).toBe('3');
      expect(await textOf(still, 'pending')).toBe(String(pendingArranged));
      // One of the three was replayed by the test before.
      expect(await textOf(still, 'dead-letters')).toBe('2');
      expect(await textOf(still, 'p50')).toMatch(/ ms$/);
      expect(await textOf(still, 'used-memory')).toMatch(/B$/);
      expect(await still.$$eval('#shards tbody tr', (rows) => rows.length)).toBe(2);
    } finally {
      await still.close();
    }
  });

  it('looks up one event by its hash with the admin token', async () => {
    const posted = await postJson(`${base}${API_PREFIX}/events`, JSON.stringify(sampleEvent('looked-up')));
    const hash = String(posted.json.hash);
    await page.type('[data-testid="lookup-hash"]', hash);
    await page.click('[data-testid="lookup-submit"]');
    await page.waitForFunction(() => /^pending: first seen \d{4}-/.test(document.querySelector('[data-testid="lookup-result"]')?.textContent ?? ''), {
      timeout: WAIT_MS,
    });
    await page.$eval('[data-testid="lookup-hash"]', (input) => {
      input.value = 'f'.repeat(64);
    });
    await page.click('[data-testid="lookup-submit"]');
    await showing(page, 'lookup-result', 'No event with this hash is remembered within the window');
  });

  it('takes a screenshot of the live page: a 1280x900 PNG with something on it', async () => {
    const png = Buffer.from(await page.screenshot({ type: 'png' }));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 900]);
    // A blank page of this size compresses to a few kilobytes; text, tables and charts do not.
    expect(png.length).toBeGreaterThan(40_000);
    expect(png.length).toBeLessThan(5_000_000);
  });

  it('says when Redis does not answer and the admin routes are off, and keeps counting', async () => {
    const port = await freePort();
    const down = createGateway(parseGatewayConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '200' }), createLogger('test', 'error'));
    const downBase = await serve(down);
    const downPage = await openDashboard(downBase);
    try {
      // No request yet: no latency to show, not a made-up 0.
      await showing(downPage, 'p50', '–');
      await showing(downPage, 'p99', '–');
      await downPage.waitForFunction(() => document.querySelector('[data-testid="store-error"]')?.hidden === false, { timeout: WAIT_MS });
      expect(await textOf(downPage, 'store-error')).toMatch(/^Redis did not answer: .+/);
      await showing(downPage, 'store-status', 'Redis unavailable');
      await showing(downPage, 'lag', '–');
      expect(await downPage.$eval('[data-testid="admin-off"]', (element) => element.hidden)).toBe(false);
      expect(await downPage.$eval('#admin-form', (element) => element.hidden)).toBe(true);
      expect((await postJson(`${downBase}${API_PREFIX}/events`, JSON.stringify(sampleEvent('down')))).status).toBe(503);
      await showing(downPage, 'unavailable', '1');
    } finally {
      await downPage.close();
    }
  });
});

describe.skipIf(missing !== undefined)('the dashboard of a gateway with tenants', () => {
  it('lists each tenant with its window, form, key and rate limit, and what it had refused', async () => {
    const digest = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
    const file = join(mkdtempSync(join(tmpdir(), 'ddup-dashboard-tenants-')), 'tenants.json');
    writeFileSync(
      file,
      JSON.stringify({
        tenants: [
          { id: 'acme', api_keys: [digest('acme-key-0123456789')], window_seconds: 7200, key_fields: ['user_id', 'payload.order_id'], canonical_form: 'jcs' },
          { id: 'trickle', api_keys: [digest('trickle-key-0123456789')], rate_limit_per_second: 0.1, rate_limit_burst: 1, refresh_on_duplicate: true },
        ],
      }),
    );
    // The same layout as the gateway above, on the same Redis.
    const base = await serve(await startTestGateway({ REDIS_URL: test.redis.url, STREAM_SHARDS: '2', INDEX_CAPACITY: '5000', TENANTS_FILE: file }));
    const url = `${base}${API_PREFIX}/events`;
    const statuses: number[] = [];
    for (let n = 0; n < 3; n++) statuses.push((await postJson(url, JSON.stringify(sampleEvent(`t${n}`)), { 'x-api-key': 'trickle-key-0123456789' })).status);
    expect(statuses).toEqual([202, 429, 429]);
    const page = await openDashboard(base);
    try {
      await page.waitForFunction(() => document.querySelector('[data-testid="tenants"]')?.hidden === false, { timeout: WAIT_MS });
      const rows = await page.$$eval('#tenants tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((cell) => cell.textContent)));
      expect(rows).toEqual([
        ['acme', '2 h', 'jcs', 'user_id, payload.order_id', '–', '0'],
        ['trickle', '7 d (sliding)', 'python', 'whole event', '0.1/s', '2'],
      ]);
    } finally {
      await page.close();
    }
  });
});
