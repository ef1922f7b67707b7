/**
 * Memory stays bounded under concurrent big batches: the Node gateway as its own process with
 * MAX_INFLIGHT_BODY_BYTES well under what 50 clients send at once, a real redis-server, Node's
 * fetch as the client. Requests past the budget get 503 `overloaded` with Retry-After (and read
 * it: linger.ts), the process's RSS stays under the budget plus a margin, /healthz keeps
 * answering, and the budget comes back whole afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, sampleEvent, type GatewayProcess, startGatewayProcess, useTestRedis } from '@ddup/test-utils';
import { rssOf, sampleRss } from './process-memory.ts';
import { startHealthzProbe } from './healthz-probe.ts';
import { BATCH, EVENTS, MiB, expectStalledUploadsHoldTheBudget } from './oversized-bodies.ts';

const CAP = 48 * MiB;
const CLIENTS = 50;
/**
 * RSS allowed over the gateway's idle RSS, on top of CAP. A held batch costs more than its bytes
 * while it is served: its decoded text, each item's parsed value and canonical text (kept until
 * admitted), and garbage not yet collected; about 2.5 bytes of heap per body byte, measured. So the
 * documented bound is RSS ≤ idle + 4 × MAX_INFLIGHT_BODY_BYTES + 32 MiB. Measured here with CAP 48
 * MiB: +132 to +163 MiB; the same burst without a cap (CAP 1 GiB): +1,724 MiB, 14 s, /healthz
 * up to 1 s.
 */
const MARGIN = 3 * CAP + 32 * MiB;
const MAX_HEALTHZ_MS = 1_000;

const test = useTestRedis();
let gateway: GatewayProcess;
const url = (path: string) => `http://127.0.0.1:${gateway.port}${path}`;

/** A JSON array of 1,000 identical ~15 KB events (≈15 MB): admitted once, the rest duplicates, so Redis stays small. */
function bigBatch(tag: string): Uint8Array {
  const event = JSON.stringify({ ...sampleEvent(tag), payload: { note: 'x'.repeat(15_000), price: 100.0, n: 1 } });
  return new TextEncoder().encode(`[${Array.from({ length: 1_000 }, () => event).join(',')}]`);
}

/** The same bytes as a chunked upload (no Content-Length), 256 KiB at a time. */
function chunkedOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 256 * 1024));
      offset += 256 * 1024;
    },
  });
}

async function postBatch(body: Uint8Array, chunked: boolean) {
  const init = { method: 'POST', body: chunked ? chunkedOf(body) : body, duplex: 'half', headers: { 'content-type': 'application/json' } };
  const response = await fetch(url(BATCH), init as RequestInit);
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), json: JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  gateway = await startGatewayProcess({ REDIS_URL: test.redis.url, MAX_INFLIGHT_BODY_BYTES: String(CAP) });
}, 60_000);

afterAll(async () => {
  await gateway?.service.stop();
});

describe('MAX_INFLIGHT_BODY_BYTES', () => {
  it('bodies held by stalled uploads count against the budget: the next request gets 503 overloaded, and 202 once they are gone', async () => {
    // Three 16 MiB batches declared and stalled after their headers: 48 MiB reserved up front.
    await expectStalledUploadsHoldTheBudget(gateway.port, { count: 3, bytes: 16 * MiB }, CAP);
  });

  it(`${CLIENTS} concurrent ~15 MB batches: some 503 with Retry-After, RSS under the cap plus a margin, /healthz under ${MAX_HEALTHZ_MS} ms`, async () => {
    const body = bigBatch('burst');
    expect(body.length).toBeGreaterThan(14 * MiB);
    expect(body.length).toBeLessThan(16 * MiB);
    const idle = rssOf(gateway.pid);
    const rss = sampleRss(gateway.pid);
    const probe = startHealthzProbe(url('/healthz'));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = performance.now();
    // Every fifth one chunked: reserved as its bytes arrive rather than by its declared length.
    const answers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => postBatch(body, i % 5 === 4)));
    const burstMs = performance.now() - started;
    const peak = rss.stop();
    const health = await probe.stop();

    const statuses = answers.map((answer) => answer.status);
    const ok = statuses.filter((status) => status === 200).length;
    const refused = answers.filter((answer) => answer.status === 503);
    console.info(
      `[inflight] ${CLIENTS} × ${(body.length / MiB).toFixed(1)} MiB in ${burstMs.toFixed(0)} ms: ${ok} × 200, ${refused.length} × 503; ` +
        `gateway RSS idle ${(idle / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - idle) / MiB).toFixed(0)}); ` +
        `/healthz (from another process) slowest ${health.slowestMs.toFixed(0)} ms over ${health.probes} probes`,
    );
    expect(ok + refused.length).toBe(CLIENTS);
    expect(ok).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.retryAfter).toBe('1');
      expect(answer.json).toMatchObject({ code: 'overloaded', max_inflight_body_bytes: CAP });
    }
    expect(peak - idle).toBeLessThan(CAP + MARGIN);
    expect(health.failures).toEqual([]);
    expect(health.probes).toBeGreaterThan(10);
    expect(health.slowestMs).toBeLessThan(MAX_HEALTHZ_MS);
  });

  it('afterwards the whole budget is free again: three ~15 MB batches at once (45 of 48 MiB) are all served, and a single event gets 202', async () => {
    const body = bigBatch('after');
    const answers = await Promise.all([false, true, false].map((chunked) => postBatch(body, chunked)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const single = await postJson(url(EVENTS), JSON.stringify(sampleEvent('after-burst')));
    expect(single.status).toBe(202);
  });
});
