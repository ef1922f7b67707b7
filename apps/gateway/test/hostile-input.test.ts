/**
 * Issue 3, item 6: hostile input against a real listening gateway (node:http through
 * @hono/node-server, raw TCP clients). Every case gets a clear 4xx in the gateway's JSON, or its
 * connection closed after the body timeout; meanwhile a probe checks that /healthz keeps answering,
 * and the event loop's delay and the process's memory are measured until the end.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@ddup/runtime';
import { useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';
import { BODY_TIMEOUT_MS, closeGracefully, listen } from '../src/http/node/server.ts';
import { MiB, bytesOf, deepEventText, invalidUtf8Bodies, manyKeysEventText, prng, randomBytes, richEventText } from './hostile-cases.ts';
import { type RawExchange, postHead, pump, rawRequest } from './raw-http.ts';

const EVENTS = `${API_PREFIX}/events`;
const LIMIT = MiB;
const TIMEOUT_MS = 500;
/** LINGER_TIMEOUT_MS here: after an early 413, how long the rest of a body is waited for. */
const LINGER_MS = 400;
const FIFTY_MB = 50 * MiB;

// Safety bounds, not benchmarks: the machine is shared and noisy. On a quiet machine the worst
// block (the 100,000-key event) is 200-300 ms; under load it was seen near 700 ms. An O(n²) key
// sort, or an unbounded body, would blow through these by far (minutes, or hundreds of MB).
const MAX_EVENT_LOOP_DELAY_MS = 2_000;
const MAX_HEALTHZ_MS = 3_000;
const MAX_RSS_GROWTH_MB = 200;
/** What the server may read of a refused 50 MB upload from a client that stops at the answer: the limit plus socket buffers, not 50 MB. */
const MAX_READ_OF_REFUSED_BYTES = 16 * MiB;

const test = useTestRedis();
let gateway: Gateway;
let server: Server;
let port: number;
let loopDelay: IntervalHistogram;
/** The server's side of each connection, by the client's port (a closed socket forgets its peer). */
const serverSockets = new Map<number, Socket>();
const loggedErrors: string[] = [];
const probe = { running: true, statuses: new Map<number, number>(), maxMs: 0, count: 0, done: Promise.resolve() };
let rssBefore = 0;
let rssPeak = 0;
let rssTimer: NodeJS.Timeout | undefined;

const recordingLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message, fields) => loggedErrors.push(`${message} ${JSON.stringify(fields ?? {})}`),
  child: () => recordingLogger,
};

/** The server's side of a client connection, found by the client's local port. */
function serverSideOf(exchange: RawExchange): Socket | undefined {
  return serverSockets.get(exchange.localPort);
}

/** A complete POST on its own connection (Connection: close), answered and closed. */
async function postBytes(body: Uint8Array, timeoutMs?: number): Promise<RawExchange> {
  const head = postHead(EVENTS, { 'Content-Type': 'application/json', 'Content-Length': body.length, Connection: 'close' });
  // write, not end: Node aborts a request whose client half-closes before the answer.
  return await rawRequest(port, head, { feed: (socket) => socket.write(body), ...(timeoutMs ? { timeoutMs } : {}) });
}

function jsonOf(exchange: RawExchange): Record<string, unknown> {
  expect(exchange.headers['content-type']).toMatch(/^application\/json/);
  return JSON.parse(exchange.body) as Record<string, unknown>;
}

/** Polls /healthz every 50 ms over HTTP for the whole file, recording statuses and the slowest answer. */
async function runHealthProbe(): Promise<void> {
  while (probe.running) {
    const started = performance.now();
    let status = 0;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = -1;
    }
    probe.maxMs = Math.max(probe.maxMs, performance.now() - started);
    probe.count++;
    probe.statuses.set(status, (probe.statuses.get(status) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  gateway = await startTestGateway({ REDIS_URL: test.redis.url, BODY_LIMIT_BYTES: String(LIMIT) }, recordingLogger);
  server = await listen(gateway.app, 0, '127.0.0.1', { bodyTimeoutMs: TIMEOUT_MS, linger: { timeoutMs: LINGER_MS, maxBytes: 64 * MiB } });
  server.on('connection', (socket: Socket) => {
    const peerPort = socket.remotePort ?? 0;
    serverSockets.set(peerPort, socket);
    socket.once('close', () => setTimeout(() => serverSockets.delete(peerPort), 5_000).unref());
  });
  port = (server.address() as AddressInfo).port;

  loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  rssBefore = process.memoryUsage().rss;
  rssPeak = rssBefore;
  rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
  probe.done = runHealthProbe();
});

afterAll(async () => {
  probe.running = false;
  await probe.done;
  clearInterval(rssTimer);
  loopDelay?.disable();
  if (server) await closeGracefully(server, 1_000);
  await stopTestGateway(gateway);
});

describe('over a real connection', () => {
  it('listen() binds port 0 to a free port, with a body timeout of BODY_TIMEOUT_MS unless told otherwise', async () => {
    expect(port).toBeGreaterThan(0);
    expect(server.requestTimeout).toBe(TIMEOUT_MS);
    expect(server.headersTimeout).toBe(TIMEOUT_MS);
    const byDefault = await listen(gateway.app, 0, '127.0.0.1');
    try {
      expect(BODY_TIMEOUT_MS).toBe(10_000);
      expect(byDefault.requestTimeout).toBe(BODY_TIMEOUT_MS);
      expect(byDefault.headersTimeout).toBe(BODY_TIMEOUT_MS);
      expect((byDefault.address() as AddressInfo).port).not.toBe(port);
    } finally {
      await closeGracefully(byDefault, 1_000);
    }
  });

  it('a valid event still gets 202', async () => {
    const exchange = await postBytes(bytesOf(richEventText('http')));
    expect(exchange.status).toBe(202);
    expect(jsonOf(exchange)).toMatchObject({ status: 'accepted' });
  });

  it('a 50 MB body with Content-Length → 413 at once; the rest is discarded until the client stops, then it is cut', async () => {
    const head = postHead(EVENTS, { 'Content-Type': 'application/json', 'Content-Length': FIFTY_MB });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const exchange = await rawRequest(port, head, { feed: (socket) => pump(socket, FIFTY_MB, chunk) });
    expect(exchange.status).toBe(413);
    expect(jsonOf(exchange)).toEqual({
      detail: `Request body is larger than the limit of ${LIMIT} bytes`,
      limit_bytes: LIMIT,
      code: 'body_too_large',
    });
    // Not `close`: the server reads and drops the rest (linger.ts). This client stops sending when
    // it sees the answer (as curl does) but keeps the connection, so it is cut after LINGER_MS.
    expect(exchange.headers.connection).toBe('keep-alive');
    const read = serverSideOf(exchange)?.bytesRead ?? -1;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(FIFTY_MB);
    console.info(`[hostile] 50 MB with Content-Length: 413 and closed after ${exchange.closedAfterMs.toFixed(0)} ms; server read ${read} bytes`);
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(LINGER_MS - 50);
    expect(exchange.closedAfterMs).toBeLessThan(LINGER_MS + 2_000);
  });

  it('a 50 MB chunked body (no Content-Length) → 413 once past the limit; not buffered, cut once the client stops', async () => {
    const head = postHead(EVENTS, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const exchange = await rawRequest(port, head, { feed: (socket) => pump(socket, FIFTY_MB, chunk, true) });
    expect(exchange.status).toBe(413);
    expect(jsonOf(exchange)).toMatchObject({ limit_bytes: LIMIT, code: 'body_too_large' });
    expect(exchange.headers.connection).toBe('keep-alive');
    const read = serverSideOf(exchange)?.bytesRead ?? -1;
    expect(read).toBeGreaterThan(LIMIT);
    expect(read).toBeLessThan(MAX_READ_OF_REFUSED_BYTES);
    console.info(`[hostile] 50 MB chunked: 413 and closed after ${exchange.closedAfterMs.toFixed(0)} ms; server read ${read} bytes`);
    expect(exchange.closedAfterMs).toBeLessThan(LINGER_MS + 2_000);
  });

  it('a real client (fetch) streaming 50 MB, with and without Content-Length, sees the 413', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    for (const headers of [{ 'content-length': String(FIFTY_MB) }, {}]) {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= FIFTY_MB) return controller.close();
          pulled += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json', ...headers } };
      const response = await fetch(`http://127.0.0.1:${port}${EVENTS}`, init as RequestInit);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ limit_bytes: LIMIT, code: 'body_too_large' });
      expect(pulled).toBeLessThan(FIFTY_MB);
    }
  });

  it('three 50 MB uploads at once leave memory bounded', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const exchanges = await Promise.all([
      rawRequest(port, postHead(EVENTS, { 'Content-Length': FIFTY_MB }), { feed: (s) => pump(s, FIFTY_MB, chunk) }),
      rawRequest(port, postHead(EVENTS, { 'Transfer-Encoding': 'chunked' }), { feed: (s) => pump(s, FIFTY_MB, chunk, true) }),
      rawRequest(port, postHead(EVENTS, { 'Transfer-Encoding': 'chunked' }), { feed: (s) => pump(s, FIFTY_MB, chunk, true) }),
    ]);
    expect(exchanges.map((exchange) => exchange.status)).toEqual([413, 413, 413]);
    const growthMb = (rssPeak - rssBefore) / MiB;
    console.info(`[hostile] RSS peak so far: +${growthMb.toFixed(0)} MB over the start of the file`);
    expect(growthMb).toBeLessThan(MAX_RSS_GROWTH_MB);
  });

  it('a body that stops half-way → 408 in JSON and the connection closed after the timeout', async () => {
    const head = postHead(EVENTS, { 'Content-Type': 'application/json', 'Content-Length': 100 });
    const exchange = await rawRequest(port, `${head}{"user_id": "u", "event_`);
    expect(exchange.status).toBe(408);
    expect(jsonOf(exchange)).toEqual({
      detail: `The request was not received completely within ${TIMEOUT_MS} ms`,
      code: 'request_timeout',
    });
    expect(exchange.headers.connection).toBe('close');
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(exchange.closedAfterMs).toBeLessThan(TIMEOUT_MS + 3_000);
  });

  it('a chunked body that never ends, trickling a byte every 100 ms → 408 and closed', async () => {
    const head = postHead(EVENTS, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    let timer: NodeJS.Timeout | undefined;
    const exchange = await rawRequest(port, head, {
      feed: (socket) => {
        timer = setInterval(() => {
          if (socket.writable) socket.write('1\r\n \r\n');
        }, 100);
        socket.once('close', () => clearInterval(timer));
      },
    });
    clearInterval(timer);
    expect(exchange.status).toBe(408);
    expect(jsonOf(exchange)).toMatchObject({ code: 'request_timeout' });
    expect(exchange.closedAfterMs).toBeLessThan(TIMEOUT_MS + 3_000);
  });

  it('headers that never end, or a connection that sends nothing → 408 and closed', async () => {
    const partial = await rawRequest(port, `POST ${EVENTS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le`);
    const silent = await rawRequest(port, '');
    for (const exchange of [partial, silent]) {
      expect(exchange.status).toBe(408);
      expect(jsonOf(exchange)).toMatchObject({ code: 'request_timeout' });
      expect(exchange.closedAfterMs).toBeLessThan(TIMEOUT_MS + 3_000);
    }
  });

  it('garbage instead of HTTP → 400, headers over 16 KiB → 431, in JSON and closed', async () => {
    const garbage = await rawRequest(port, 'HELLO \x00\xff THERE\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(jsonOf(garbage)).toMatchObject({ code: 'bad_request' });
    const huge = await rawRequest(port, postHead(EVENTS, { 'X-Filler': 'x'.repeat(64 * 1024), 'Content-Length': 2 }));
    expect(huge.status).toBe(431);
    expect(jsonOf(huge)).toMatchObject({ code: 'headers_too_large' });
  });

  it('nesting 100,000 deep → 422 json_invalid, quickly', async () => {
    const exchange = await postBytes(bytesOf(deepEventText(100_000)));
    expect(exchange.status).toBe(422);
    const body = jsonOf(exchange) as { detail: { type: string; ctx: { error: string } }[]; code: string };
    expect(body.code).toBe('validation_failed');
    expect(body.detail[0]).toMatchObject({ type: 'json_invalid', ctx: { error: expect.stringMatching(/nested deeper than 64/) } });
    expect(exchange.closedAfterMs).toBeLessThan(2_000);
  });

  it('bytes that are not UTF-8 → 422 json_invalid, "Invalid UTF-8", at the byte offset', async () => {
    for (const { bytes, offset } of invalidUtf8Bodies()) {
      const exchange = await postBytes(bytes);
      expect(exchange.status).toBe(422);
      expect(jsonOf(exchange)).toEqual({
        detail: [{ type: 'json_invalid', loc: ['body', offset], msg: 'JSON decode error', input: {}, ctx: { error: 'Invalid UTF-8' } }],
        code: 'validation_failed',
      });
    }
  });

  it('random bytes and truncated JSON → 422', async () => {
    const random = prng(99);
    for (let round = 0; round < 20; round++) {
      const exchange = await postBytes(randomBytes(random, 1 + Math.floor(random() * 2_000)));
      expect(exchange.status, `random bytes, round ${round}`).toBe(422);
      expect(jsonOf(exchange)).toMatchObject({ code: 'validation_failed' });
    }
    const valid = bytesOf(richEventText('truncated-http'));
    for (const end of [1, 10, 40, valid.length - 1]) {
      const exchange = await postBytes(valid.subarray(0, end));
      expect(exchange.status, `prefix of ${end} bytes`).toBe(422);
    }
  });

  it('100,000 keys in a body just under 1 MiB → 202 without blocking the event loop for long', async () => {
    const body = bytesOf(manyKeysEventText(100_000, 'http'));
    expect(body.length).toBeLessThan(LIMIT);
    expect(body.length).toBeGreaterThan(0.8 * MiB);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const posting = postBytes(body, 30_000);
    // A health check sent while the big body is uploaded and processed must not wait for long.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const healthStarted = performance.now();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    const healthMs = performance.now() - healthStarted;
    const exchange = await posting;
    delay.disable();
    expect(exchange.status).toBe(202);
    expect(health.status).toBe(200);
    const maxDelayMs = delay.max / 1e6;
    console.info(
      `[hostile] 100,000 keys, ${body.length} bytes: 202 in ${exchange.closedAfterMs.toFixed(0)} ms; ` +
        `longest event-loop block ${maxDelayMs.toFixed(0)} ms; a /healthz sent meanwhile took ${healthMs.toFixed(0)} ms`,
    );
    expect(maxDelayMs).toBeLessThan(MAX_EVENT_LOOP_DELAY_MS);
    expect(healthMs).toBeLessThan(MAX_HEALTHZ_MS);
  });

  it('afterwards: healthy, answering, memory bounded, the event loop never blocked for long', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await postBytes(bytesOf(richEventText('after')))).status).toBe(202);

    const maxDelayMs = loopDelay.max / 1e6;
    const growthMb = (rssPeak - rssBefore) / MiB;
    console.info(
      `[hostile] whole file: max event-loop delay ${maxDelayMs.toFixed(0)} ms, /healthz probes ${probe.count} ` +
        `(slowest ${probe.maxMs.toFixed(0)} ms), RSS peak +${growthMb.toFixed(0)} MB`,
    );
    expect(probe.count).toBeGreaterThan(10);
    expect([...probe.statuses.keys()]).toEqual([200]);
    expect(probe.maxMs).toBeLessThan(MAX_HEALTHZ_MS);
    expect(maxDelayMs).toBeLessThan(MAX_EVENT_LOOP_DELAY_MS);
    expect(growthMb).toBeLessThan(MAX_RSS_GROWTH_MB);
    expect(loggedErrors).toEqual([]);
  });
});
