/**
 * A 413 reaches the client: the Node gateway as its own process (main.ts), real clients (Node's
 * fetch, python3's urllib and http.client as subprocesses, raw sockets). After an answer that goes
 * out before the body is all in, the rest is read and dropped (linger.ts) within LINGER_TIMEOUT_MS
 * and LINGER_MAX_BYTES, so a client still sending reads the answer instead of EPIPE/ECONNRESET.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, useTestRedis } from '@ddup/test-utils';
import { rssOf, sampleRss } from './process-memory.ts';
import { BATCH, EVENTS, LINGER_ENV, LINGER_MAX_BYTES, LINGER_TIMEOUT_MS, MiB, SOCKET_BUFFERS, itLetsClientsReadThe413, tooLarge } from './oversized-bodies.ts';
import { flood, postHead, rawRequest } from './raw-http.ts';

const BODY_LIMIT = MiB;
const BATCH_LIMIT = 16 * MiB;

const test = useTestRedis();
let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGatewayProcess({ REDIS_URL: test.redis.url, ...LINGER_ENV });
}, 60_000);

afterAll(async () => {
  await gateway?.service.stop();
});

describe('a body over the limit: the client reads the 413', () => {
  itLetsClientsReadThe413('linger', { port: () => gateway.port, limitOf: { [EVENTS]: BODY_LIMIT, [BATCH]: BATCH_LIMIT } }, { fetch: 4, python: 2 });
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
      expect(JSON.parse(exchange.answers[0]?.body ?? '')).toEqual(tooLarge(BODY_LIMIT));
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
      expect(JSON.parse(exchange.answers[0]?.body ?? '')).toEqual(tooLarge(BODY_LIMIT));
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
    expect(JSON.parse(exchange.body)).toEqual(tooLarge(BODY_LIMIT));
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
