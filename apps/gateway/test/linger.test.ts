/**
 * A 413 reaches the client: the Node gateway as its own process (main.ts), real clients (Node's
 * fetch, python3's urllib and http.client as subprocesses, raw sockets). After an answer that goes
 * out before the body is all in, the rest is read and dropped (linger.ts) within LINGER_TIMEOUT_MS
 * and LINGER_MAX_BYTES, so a client still sending reads the answer instead of EPIPE/ECONNRESET.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRedis, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { type GatewayProcess, rssOf, sampleRss, startGatewayProcess } from './gateway-process.ts';
import { pythonPost } from './python-client.ts';
import { flood, postHead, rawRequest } from './raw-http.ts';

const MiB = 1024 * 1024;
const EVENTS = `${API_PREFIX}/events`;
const BATCH = `${API_PREFIX}/events/batch`;
const BODY_LIMIT = MiB;
const BATCH_LIMIT = 16 * MiB;
const LINGER_TIMEOUT_MS = 1_500;
const LINGER_MAX_BYTES = 32 * MiB;
/** Over each route's limit: 12 MB for the single route, 20 MB for the batch route. */
const OVER = { [EVENTS]: 12 * MiB, [BATCH]: 20 * MiB } as const;
const LIMIT_OF = { [EVENTS]: BODY_LIMIT, [BATCH]: BATCH_LIMIT } as const;
/** What the kernel's socket buffers may hold on top of what the server read (loopback, both sides). */
const SOCKET_BUFFERS = 16 * MiB;

let redis: TestRedis;
let gateway: GatewayProcess;

beforeAll(async () => {
  redis = await startTestRedis();
  gateway = await startGatewayProcess({
    REDIS_URL: redis.url,
    LINGER_TIMEOUT_MS: String(LINGER_TIMEOUT_MS),
    LINGER_MAX_BYTES: String(LINGER_MAX_BYTES),
  });
}, 60_000);

afterAll(async () => {
  await gateway?.service.stop();
  await redis?.cleanup();
});

function tooLarge(path: keyof typeof LIMIT_OF) {
  const limit = LIMIT_OF[path];
  return { detail: `Request body is larger than the limit of ${limit} bytes`, limit_bytes: limit, code: 'body_too_large' };
}

/** A body of `size` spaces that is produced as it is sent, 64 KiB at a time (chunked: no Content-Length). */
function streamOf(size: number): ReadableStream<Uint8Array> {
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

describe('a body over the limit: the client reads the 413', () => {
  it('Node fetch, Content-Length and chunked, single and batch route, several times each', async () => {
    const shared = { [EVENTS]: new Uint8Array(OVER[EVENTS]).fill(0x20), [BATCH]: new Uint8Array(OVER[BATCH]).fill(0x20) };
    for (const path of [EVENTS, BATCH] as const) {
      for (const framing of ['content-length', 'chunked'] as const) {
        // Before the lingering close about half of these failed with "fetch failed" (EPIPE).
        for (let round = 0; round < 4; round++) {
          const started = performance.now();
          const body = framing === 'chunked' ? streamOf(OVER[path]) : shared[path];
          const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } };
          const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, init as RequestInit);
          expect(response.status, `${path} ${framing}`).toBe(413);
          expect(response.headers.get('content-type')).toMatch(/^application\/json/);
          expect(JSON.parse(await response.text())).toEqual(tooLarge(path));
          if (round === 0) console.info(`[linger] fetch ${path} ${framing}: 413 read in ${(performance.now() - started).toFixed(0)} ms`);
        }
      }
    }
  });

  it('python3 urllib (Content-Length, Connection: close) and http.client (chunked), single and batch route', async () => {
    for (const path of [EVENTS, BATCH] as const) {
      for (const mode of ['urllib', 'chunked'] as const) {
        for (let round = 0; round < 2; round++) {
          const answer = await pythonPost(gateway.port, path, OVER[path], mode);
          // Before: URLError(BrokenPipeError(32, 'Broken pipe')), every time.
          expect(answer.error, `${answer.client} ${path}`).toBeNull();
          expect(answer.status).toBe(413);
          expect(JSON.parse(answer.body)).toEqual(tooLarge(path));
        }
      }
    }
  });
});

describe('the rest of the body is discarded, within bounds', () => {
  it('a client that sends everything before reading gets the 413, and the connection then serves its next request', async () => {
    const next = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    for (const chunked of [false, true]) {
      const head = postHead(EVENTS, chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': 20 * MiB });
      const exchange = await flood(gateway.port, head, 20 * MiB, { chunked, then: next });
      expect(exchange.clientError).toBeUndefined();
      expect(exchange.sentAll).toBe(true);
      expect(exchange.answers.map((answer) => answer.status)).toEqual([413, 200]);
      expect(JSON.parse(exchange.answers[0]?.body ?? '')).toEqual(tooLarge(EVENTS));
      expect(exchange.answers[0]?.headers.connection).toBe('keep-alive');
      expect(JSON.parse(exchange.answers[1]?.body ?? '')).toEqual({ status: 'ok' });
      console.info(
        `[linger] ${chunked ? 'chunked' : 'Content-Length'} 20 MB sent whole: 413, then /healthz on the same connection; ${exchange.closedAfterMs.toFixed(0)} ms`,
      );
    }
  });

  it(`a client still sending after LINGER_MAX_BYTES (${LINGER_MAX_BYTES / MiB} MiB) is cut, having read the 413`, async () => {
    for (const chunked of [false, true]) {
      const total = 400 * MiB;
      const head = postHead(EVENTS, chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': total });
      const exchange = await flood(gateway.port, head, total, { chunked });
      expect(exchange.sentAll).toBe(false);
      expect(exchange.answers[0]?.status).toBe(413);
      expect(JSON.parse(exchange.answers[0]?.body ?? '')).toEqual(tooLarge(EVENTS));
      // The server read (and dropped) up to the linger bound: not a few MB, not the 400 MB.
      expect(exchange.bytesSent).toBeGreaterThan(LINGER_MAX_BYTES);
      expect(exchange.bytesSent).toBeLessThan(LINGER_MAX_BYTES + BODY_LIMIT + SOCKET_BUFFERS);
      expect(exchange.closedAfterMs).toBeLessThan(LINGER_TIMEOUT_MS);
      console.info(
        `[linger] ${chunked ? 'chunked' : 'Content-Length'} 400 MB: cut after ${(exchange.bytesSent / MiB).toFixed(1)} MiB sent, ${exchange.closedAfterMs.toFixed(0)} ms (${exchange.clientError})`,
      );
    }
  });

  it('a client that stops sending but keeps the connection is cut after LINGER_TIMEOUT_MS', async () => {
    const head = postHead(EVENTS, { 'Content-Length': 12 * MiB });
    const exchange = await rawRequest(gateway.port, head, { feed: (socket) => socket.write(Buffer.alloc(2 * MiB, 0x20)) });
    expect(exchange.status).toBe(413);
    expect(JSON.parse(exchange.body)).toEqual(tooLarge(EVENTS));
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(LINGER_TIMEOUT_MS - 50);
    expect(exchange.closedAfterMs).toBeLessThan(LINGER_TIMEOUT_MS + 1_500);
    console.info(`[linger] stalled after 2 MB of 12 MB: 413, cut after ${exchange.closedAfterMs.toFixed(0)} ms`);
  });

  it('discarded bytes are not kept: four clients sending 30 MB each barely move the RSS', async () => {
    const before = rssOf(gateway.pid);
    const rss = sampleRss(gateway.pid);
    const exchanges = await Promise.all(
      [false, true, false, true].map((chunked) =>
        flood(gateway.port, postHead(EVENTS, chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': 30 * MiB }), 30 * MiB, {
          chunked,
          closeAfterMs: 50,
        }),
      ),
    );
    const growth = rss.stop() - before;
    for (const exchange of exchanges) {
      expect(exchange.sentAll).toBe(true);
      expect(exchange.answers[0]?.status).toBe(413);
    }
    console.info(`[linger] 4 × 30 MB discarded: gateway RSS +${(growth / MiB).toFixed(1)} MiB (from ${(before / MiB).toFixed(0)} MiB)`);
    expect(growth).toBeLessThan(40 * MiB);
  });
});
