/**
 * What both gateway runtimes (Node: main.ts, Bun: main-bun.ts) must do with bodies over the limit
 * or past the in-flight budget, as test cases each runtime's test file registers against its own
 * gateway process. What only one runtime can do stays in that runtime's file.
 */
import type { Socket } from 'node:net';
import { expect, it } from 'vitest';
import { postJson, sampleEvent } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { pythonPost } from './python-client.ts';
import { postHead, rawRequest } from './raw-http.ts';

export const MiB = 1024 * 1024;
export const EVENTS = `${API_PREFIX}/events`;
export const BATCH = `${API_PREFIX}/events/batch`;
export type BodyRoute = typeof EVENTS | typeof BATCH;
export const LINGER_TIMEOUT_MS = 1_500;
export const LINGER_MAX_BYTES = 32 * MiB;
/** The linger settings both runtimes' tests start their gateway with. */
export const LINGER_ENV = { LINGER_TIMEOUT_MS: String(LINGER_TIMEOUT_MS), LINGER_MAX_BYTES: String(LINGER_MAX_BYTES) };
/** Over each route's limit: 12 MB for the single route, 20 MB for the batch route. */
export const OVER: Readonly<Record<BodyRoute, number>> = { [EVENTS]: 12 * MiB, [BATCH]: 20 * MiB };
/** What the kernel's socket buffers may hold on top of what the server read (loopback, both sides). */
export const SOCKET_BUFFERS = 16 * MiB;

/** A gateway under test: its port (known once started) and each route's body limit. */
export interface BodyLimitTarget {
  readonly port: () => number;
  readonly limitOf: Readonly<Record<BodyRoute, number>>;
}

/** The 413 answer for a route whose limit is `limit` bytes. */
export function tooLarge(limit: number) {
  return { detail: `Request body is larger than the limit of ${limit} bytes`, limit_bytes: limit, code: 'body_too_large' };
}

/** A body of `size` spaces that is produced as it is sent, 64 KiB at a time (chunked: no Content-Length). */
export function streamOf(size: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

/**
 * Registers the two client tests: Node's fetch (Content-Length and chunked) and python3 (urllib with
 * Content-Length and Connection: close, http.client chunked) each read the JSON 413 on both routes,
 * `rounds` times each, instead of EPIPE/ECONNRESET.
 */
export function itLetsClientsReadThe413(label: string, target: BodyLimitTarget, rounds: { fetch: number; python: number }): void {
  it(`${label}: Node fetch, Content-Length and chunked, single and batch route, several times each`, async () => {
    for (const path of [EVENTS, BATCH] as const) {
      const bytes = new Uint8Array(OVER[path]).fill(0x20);
      for (const framing of ['content-length', 'chunked'] as const) {
        // Before the lingering close (Node) and bun-drain.ts (Bun) many of these failed with "fetch failed".
        for (let round = 0; round < rounds.fetch; round++) {
          const started = performance.now();
          const body = framing === 'chunked' ? streamOf(OVER[path]) : bytes;
          const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } };
          const response = await fetch(`http://127.0.0.1:${target.port()}${path}`, init as RequestInit);
          expect(response.status, `${path} ${framing}`).toBe(413);
          expect(response.headers.get('content-type')).toMatch(/^application\/json/);
          expect(JSON.parse(await response.text())).toEqual(tooLarge(target.limitOf[path]));
          if (round === 0) console.info(`[${label}] fetch ${path} ${framing}: 413 read in ${(performance.now() - started).toFixed(0)} ms`);
        }
      }
    }
  });

  it(`${label}: python3 urllib (Content-Length, Connection: close) and http.client (chunked), single and batch route`, async () => {
    for (const path of [EVENTS, BATCH] as const) {
      for (const mode of ['urllib', 'chunked'] as const) {
        for (let round = 0; round < rounds.python; round++) {
          const answer = await pythonPost(target.port(), path, OVER[path], mode);
          // Before: URLError(BrokenPipeError(32, 'Broken pipe')) for urllib, every time.
          expect(answer.error, `${answer.client} ${path}`).toBeNull();
          expect(answer.status).toBe(413);
          expect(JSON.parse(answer.body)).toEqual(tooLarge(target.limitOf[path]));
        }
      }
    }
  });
}

/**
 * Stalls `uploads` batch uploads of `bytes` each after their headers (reserving the in-flight
 * budget `cap`), expects the next event to get 503 `overloaded` with Retry-After, then drops the
 * uploads and expects a 202 soon after: their reservations are released with their requests.
 */
export async function expectStalledUploadsHoldTheBudget(port: number, uploads: { count: number; bytes: number }, cap: number): Promise<void> {
  const url = `http://127.0.0.1:${port}${EVENTS}`;
  const stalled: Socket[] = [];
  const requests = Array.from({ length: uploads.count }, () =>
    rawRequest(port, postHead(BATCH, { 'Content-Type': 'application/json', 'Content-Length': uploads.bytes }), {
      feed: (socket) => stalled.push(socket),
    }),
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await postJson(url, JSON.stringify(sampleEvent('over-budget')));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(refused.json).toMatchObject({ code: 'overloaded', max_inflight_body_bytes: cap });
    expect(typeof refused.json.detail).toBe('string');
  } finally {
    // Also when an assertion failed: no upload is left stalled.
    for (const socket of stalled) socket.destroy();
  }
  await Promise.all(requests);
  // The server sees the closes a moment after the client (under load, more than 100 ms: seen in CI).
  const admit = async () => (await postJson(url, JSON.stringify(sampleEvent('over-budget')))).status;
  await expect.poll(admit, { timeout: 5_000, interval: 50 }).toBe(202);
}
