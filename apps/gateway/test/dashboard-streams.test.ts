/**
 * A flood of dashboard streams (issue 19, item 6), against the gateway as its own process with a
 * descriptor limit of 256 (what 1,000 streams did to a gateway with the usual 1,024), 400
 * stream requests in waves of 100: past
 * DASHBOARD_MAX_STREAMS a stream request gets 503 `too_many_streams` at once and its connection is
 * closed, the event routes and /healthz keep answering, and each stream ends after
 * DASHBOARD_STREAM_MAX_MS, freeing its place.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleEvent, useTestRedis, type GatewayProcess, startGatewayProcess } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { DashboardStreamReader } from './dashboard-stream-reader.ts';

const MAX_STREAMS = 20;
const FLOOD = 400;
const WAVE = 100;
const STREAM_MAX_MS = 4_000;
const test = useTestRedis();
let gateway: GatewayProcess | undefined;

afterAll(async () => {
  await gateway?.service.stop('SIGKILL');
});

async function postEvent(base: string, n: string): Promise<number | string> {
  try {
    const response = await fetch(`${base}${API_PREFIX}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sampleEvent(n)),
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return String((error as Error & { cause?: Error }).cause?.message ?? error);
  }
}

describe(`${FLOOD} dashboard streams at once, at most ${MAX_STREAMS} served`, () => {
  it('answers the rest 503 too_many_streams, keeps the event routes answering, and ends each stream in time', async () => {
    gateway = await startGatewayProcess({
      REDIS_URL: test.redis.url,
      DASHBOARD_MAX_STREAMS: String(MAX_STREAMS),
      DASHBOARD_STREAM_MAX_MS: String(STREAM_MAX_MS),
    });
    const base = `http://127.0.0.1:${gateway.port}`;
    execFileSync('prlimit', [`--pid=${gateway.pid}`, '--nofile=256:256']);

    // In waves of WAVE at once: a refused stream's connection is closed, so they never add up.
    const answers: Awaited<ReturnType<typeof openStream>>[] = [];
    for (let wave = 0; wave < FLOOD / WAVE; wave++) answers.push(...(await Promise.all(Array.from({ length: WAVE }, openStream))));
    async function openStream() {
      try {
        const response = await fetch(`${base}/dashboard/stream`);
        if (response.status === 200) return { status: 200, reader: new DashboardStreamReader(response) };
        return { status: response.status, body: (await response.json()) as Record<string, unknown>, retryAfter: response.headers.get('retry-after') };
      } catch (error) {
        return { status: String((error as Error & { cause?: Error }).cause?.message ?? error) };
      }
    }
    const statuses = new Map<number | string, number>();
    for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const posts = await Promise.all(Array.from({ length: 20 }, (_, n) => postEvent(base, `under-flood-${n}-${Date.now()}`)));
    const health = await fetch(`${base}/healthz`).then(
      (response) => response.status,
      (error: Error & { cause?: Error }) => String(error.cause?.message ?? error),
    );
    console.log(`${FLOOD} stream requests: ${JSON.stringify(Object.fromEntries(statuses))}; 20 POSTs meanwhile: ${JSON.stringify(posts)}; /healthz ${health}`);
    expect(statuses.get(200)).toBe(MAX_STREAMS);
    expect(statuses.get(503)).toBe(FLOOD - MAX_STREAMS);
    const refused = answers.find((answer) => answer.status === 503);
    expect(refused && 'body' in refused ? refused.body : undefined).toMatchObject({ code: 'too_many_streams', max_streams: MAX_STREAMS });
    expect(refused && 'retryAfter' in refused ? Number(refused.retryAfter) : 0).toBeGreaterThan(0);
    expect(posts).toEqual(posts.map(() => 202));
    expect(health).toBe(200);

    // The streams served get figures, then end after DASHBOARD_STREAM_MAX_MS; their places are free again.
    const readers = answers.flatMap((answer) => ('reader' in answer && answer.reader ? [answer.reader] : []));
    const startedAt = performance.now();
    const ends = await Promise.all(
      readers.map(async (reader) => {
        try {
          for (;;) await reader.next();
        } catch {
          return performance.now() - startedAt;
        }
      }),
    );
    console.log(
      `the ${readers.length} streams ended after ${Math.round(Math.min(...ends))}–${Math.round(Math.max(...ends))} ms (DASHBOARD_STREAM_MAX_MS=${STREAM_MAX_MS})`,
    );
    const again = await fetch(`${base}/dashboard/stream`);
    expect(again.status).toBe(200);
    await again.body?.cancel();
  }, 60_000);
});
