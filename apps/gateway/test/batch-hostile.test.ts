/**
 * Hostile batch bodies at the default limits (16 MiB body, 1 MiB per event): each is refused or
 * answered without parsing megabytes as one value, and a heavy batch lets other requests in.
 */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

const MiB = 1024 * 1024;

/** The longest text the JSON parser was given since the last test began. */
const parsed = vi.hoisted(() => ({ longest: 0 }));
vi.mock('@ddup/hashing', async (importOriginal) => {
  const original = await importOriginal<typeof import('@ddup/hashing')>();
  return {
    ...original,
    parseJson: (text: string, options?: { maxDepth?: number }) => {
      parsed.longest = Math.max(parsed.longest, text.length);
      return original.parseJson(text, options);
    },
  };
});

beforeEach(() => {
  parsed.longest = 0;
});
const test = useTestRedis();
let gateway: Gateway;

async function postBatch(body: string, contentType = 'application/json') {
  const started = performance.now();
  const response = await gateway.app.request(`${API_PREFIX}/events/batch`, { method: 'POST', body, headers: { 'content-type': contentType } });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, json, ms: performance.now() - started };
}

/** `count` copies of `unit` joined by commas, about `bytes` long. */
function repeated(unit: string, bytes: number): string {
  return Array(Math.floor(bytes / (unit.length + 1)))
    .fill(unit)
    .join(',');
}

beforeAll(async () => {
  gateway = await startTestGateway({ REDIS_URL: test.redis.url });
});

afterAll(async () => {
  await stopTestGateway(gateway);
});

it('16 MiB of array elements: too_long, counted without parsing them', async () => {
  const answer = await postBatch(`[${repeated('1', 16 * MiB - 2)}]`);
  expect(answer.status).toBe(422);
  expect(answer.json.detail).toEqual([expect.objectContaining({ type: 'too_long', ctx: expect.objectContaining({ actual_length: 8 * MiB - 1 }) })]);
  expect(parsed.longest).toBe(0);
  expect(answer.ms).toBeLessThan(2_000);
});

it('one 16 MiB element: that item is body_too_large, never parsed', async () => {
  const answer = await postBatch(`[[${repeated('1', 16 * MiB - 4)}]]`);
  expect(answer.status).toBe(200);
  expect(answer.json.results).toEqual([{ status: 'invalid', detail: [expect.objectContaining({ type: 'body_too_large', loc: ['body', 0] })] }]);
  expect(parsed.longest).toBe(0);
  expect(answer.ms).toBeLessThan(2_000);
});

it('16 MiB that is not an array: list_type without parsing it', async () => {
  const answer = await postBatch(`{"a":[${repeated('1', 16 * MiB - 8)}]}`);
  expect(answer.status).toBe(422);
  expect(answer.json.detail).toEqual([{ type: 'list_type', loc: ['body'], msg: 'Input should be a valid list', input: {} }]);
  expect(parsed.longest).toBe(0);
  expect(answer.ms).toBeLessThan(2_000);
});

it('16 MiB of blank NDJSON lines: no results', async () => {
  const answer = await postBatch('\n'.repeat(16 * MiB), 'application/x-ndjson');
  expect(answer.status).toBe(200);
  expect(answer.json.results).toEqual([]);
  expect(parsed.longest).toBe(0);
  expect(answer.ms).toBeLessThan(2_000);
});

it('a batch of heavy events (50,000 keys each) gives the event loop back between events', async () => {
  const payload = `{${Array.from({ length: 50_000 }, (_, k) => `"k${k}":${k}`).join(',')}}`;
  const events = Array.from({ length: 8 }, (_, i) => `{"user_id":"heavy-${i}","event_type":"e","timestamp":"t","payload":${payload}}`);
  let batchDone = false;
  const batch = postBatch(`[${events.join(',')}]`).finally(() => {
    batchDone = true;
  });
  let answeredDuringBatch = 0;
  await new Promise((resolve) => setImmediate(resolve));
  while (!batchDone) {
    const health = await gateway.app.request('/healthz');
    if (health.status === 200 && !batchDone) answeredDuringBatch++;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const answer = await batch;
  expect(answer.status).toBe(200);
  expect(answer.json).toMatchObject({ accepted: 8 });
  expect(answeredDuringBatch).toBeGreaterThan(1);
  // Each event was parsed on its own.
  expect(parsed.longest).toBeGreaterThan(payload.length);
  expect(parsed.longest).toBeLessThan(payload.length + 100);
});
