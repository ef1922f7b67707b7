/**
 * GET /docs in a real browser (Debian's chromium, headless, driven by puppeteer-core): Swagger UI
 * renders the gateway's operations from /openapi.json with every request to the gateway's own
 * origin; anything else is blocked and would fail the test, as it would fail on a machine offline.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Gateway, closeGracefully, createGateway, listen, parseGatewayConfig, stopGateway } from '@ddup/gateway';
import { createLogger } from '@ddup/runtime';
import { type TestRedis, eventually, startTestRedis } from '@ddup/test-utils';

const CHROMIUM = '/usr/bin/chromium';
// CI installs chromium (.ci/run) and must run this; elsewhere it is skipped, saying why, without it.
const HAVE_CHROMIUM = existsSync(CHROMIUM) || process.env.CI !== undefined;
if (!HAVE_CHROMIUM) console.warn(`skipping the /docs browser test: no ${CHROMIUM}`);

let redis: TestRedis | undefined;
let gateway: Gateway | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
let origin: string;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  redis = await startTestRedis();
  gateway = createGateway(parseGatewayConfig({ REDIS_URL: redis.url, DDUP_ADMIN_TOKEN: 'docs-test-token-0123456789' }), createLogger('test', 'error'));
  const checked = gateway.preflight;
  await eventually('gateway checked its Redis', () => checked.hasPassed);
  server = await listen(gateway.app, 0, '127.0.0.1');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  const running = server;
  if (gateway) {
    await stopGateway(gateway, async () => {
      if (running) await closeGracefully(running, 1_000);
    });
  }
  await redis?.cleanup();
});

it.skipIf(!HAVE_CHROMIUM)('renders every operation of the document, loading nothing from another origin', { timeout: 60_000 }, async () => {
  const page = await (browser as Browser).newPage();
  const elsewhere: string[] = [];
  const failed: string[] = [];
  const errors: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) void request.continue();
    else {
      elsewhere.push(url);
      void request.abort();
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });

  await page.goto(`${origin}/docs`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('.opblock', { timeout: 30_000 });
  const operations = await page.$$eval('.opblock-summary-path', (paths) => paths.map((path) => path.getAttribute('data-path')));
  const title = await page.$eval('.info .title', (element) => element.textContent ?? '');

  expect(elsewhere, 'requests to other origins').toEqual([]);
  expect(failed, 'failed requests').toEqual([]);
  expect(errors, 'page errors (a CSP violation is one)').toEqual([]);
  expect(title).toContain('ddup');
  expect(operations).toEqual(expect.arrayContaining(['/api/v1/ddup_service/events', '/healthz', '/admin/events/{hash}', '/openapi.json']));
});
