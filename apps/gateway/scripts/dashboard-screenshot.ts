// `pnpm dashboard:screenshot`: the README's picture of the dashboard, taken of a real run. Starts
// a redis-server, a gateway and a consumer pool on free ports, posts a mix of traffic for about
// half a minute (new events, duplicates, invalid and oversized bodies, two poison entries that end
// as dead letters), opens the dashboard in headless Chromium with the admin token typed in, and
// saves docs/images/dashboard.png. Everything it started is stopped at the end.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@ddup/redis-process';
import { deadLetterStreamKey, eventsStreamKey } from '@ddup/store';
import { type ServiceProcess, type TestRedis, eventually, postJson, sampleEvent, startService, startTestRedis } from '@ddup/test-utils';
import { chromiumMissing, launchChromium } from '../test/dashboard-browser.ts';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const OUTPUT = root('docs/images/dashboard.png');
const TRAFFIC_MS = 30_000;
const VIEWPORT = { width: 1280, height: 900 };

const EVENT_TYPES = ['view', 'click', 'purchase'];
const newEvent = (n: number) => JSON.stringify(sampleEvent(`shot-${n}`, { event_type: EVENT_TYPES[n % EVENT_TYPES.length] }));

/** One request of the mix: mostly new events, some duplicates (of an event sent just before), a few invalid or too large. */
function requestBody(n: number): string {
  const roll = n % 100;
  // n - 17 fell on roll 83..96: a new event.
  if (roll < 14 && n > 20) return newEvent(n - 17);
  if (roll < 19) return '{"user_id": 42, "event_type": "view"}';
  if (roll === 19) return JSON.stringify(sampleEvent(`big-${n}`, { payload: { blob: 'x'.repeat(2_000) } }));
  return newEvent(n);
}

async function postTraffic(url: string): Promise<void> {
  const started = Date.now();
  let n = 0;
  while (Date.now() - started < TRAFFIC_MS) {
    // Waves of load, so the charts have a shape.
    const elapsed = (Date.now() - started) / 1000;
    const parallel = Math.max(1, Math.round(4 + 3 * Math.sin(elapsed / 4)));
    await Promise.all(Array.from({ length: parallel }, () => postJson(url, requestBody(n++))));
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing !== undefined) throw new Error(missing);
  const token = randomBytes(24).toString('hex');
  const services: ServiceProcess[] = [];
  let redis: TestRedis | undefined;
  const browser = await launchChromium();
  try {
    redis = await startTestRedis();
    const port = await freePort();
    const shared = { REDIS_URL: redis.url, STREAM_SHARDS: '4', INDEX_CAPACITY: '100000', LOG_LEVEL: 'warn' };
    const gateway = startService(root('apps/gateway/src/main.ts'), {
      ...shared,
      PORT: String(port),
      HOST: '127.0.0.1',
      BODY_LIMIT_BYTES: '1024',
      DDUP_ADMIN_TOKEN: token,
    });
    services.push(gateway);
    const consumer = startService(root('apps/consumer/src/main.ts'), {
      ...shared,
      CONSUMER_CONCURRENCY: '2',
      CONSUMER_NAME: 'worker',
      CONSUMER_MAX_DELIVERIES: '3',
      CONSUMER_CLAIM_IDLE_MS: '300',
      CONSUMER_CLAIM_INTERVAL_MS: '300',
    });
    services.push(consumer);
    const base = `http://127.0.0.1:${port}`;
    await eventually('the gateway is ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true, 30_000);

    const page = await browser.newPage();
    await page.setViewport(VIEWPORT);
    await page.goto(`${base}/dashboard`);
    const traffic = postTraffic(`${base}/api/v1/ddup_service/events`);
    // Entries without a hash field: the consumers cannot confirm them, so they end as dead letters.
    const client = await redis.client();
    for (const n of [1, 2]) await client.sendCommand(['XADD', eventsStreamKey(n), '*', 'event', `{"user_id":"poison-${n}","payload":{"truncated":`]);
    await traffic;
    await eventually('both poison entries dead-lettered', async () => {
      const lengths = await Promise.all([1, 2].map((n) => client.xLen(deadLetterStreamKey(n))));
      return lengths.every((length) => length === 1);
    });

    await page.type('[data-testid="admin-token"]', token);
    await page.click('[data-testid="admin-load"]');
    await page.waitForSelector('#letters tbody tr[data-id]');
    // One more tick, so the tiles and charts show the last of the traffic.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    mkdirSync(root('docs/images'), { recursive: true });
    // Clicking scrolled the page; the picture starts at the top (a string: no DOM types here).
    await page.evaluate('window.scrollTo(0, 0)');
    const png = Buffer.from(await page.screenshot({ type: 'png', fullPage: true }));
    writeFileSync(OUTPUT, png);
    // The PNG's own size (IHDR): the whole page, VIEWPORT.width wide.
    const size = `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
    console.log(`saved ${OUTPUT} (${png.length} bytes, ${size})`);
  } finally {
    await browser.close();
    for (const service of services.reverse()) await service.stop();
    await redis?.cleanup();
  }
}

await main();
