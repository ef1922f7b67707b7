/**
 * The same HTTP guarantees under Bun (main-bun.ts as its own process, a real redis-server, Node's
 * fetch, python3's urllib and http.client, raw sockets), where Bun allows them:
 * - a 413 reaches the client: Bun cannot answer first and go on reading (it closes the connection
 *   once the answer is out), so bun-drain.ts discards the rest of the body before answering;
 * - MAX_INFLIGHT_BODY_BYTES: 503 overloaded past it, released with the request;
 * - an unknown Expect → JSON 417; the 202 echoes numbers as written;
 * - what Bun does not let the app answer: an HTTP/1.1 request without Host gets Bun's own bare 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, useTestRedis } from '@ddup/test-utils';
import {
  BATCH,
  EVENTS,
  LINGER_ENV,
  LINGER_MAX_BYTES,
  LINGER_TIMEOUT_MS,
  MiB,
  SOCKET_BUFFERS,
  expectStalledUploadsHoldTheBudget,
  itLetsClientsReadThe413,
  tooLarge,
} from './oversized-bodies.ts';
import { flood, postHead, rawRequest } from './raw-http.ts';

const BODY_LIMIT = MiB;
const BATCH_LIMIT = 4 * MiB;
const CAP = 8 * MiB;

const test = useTestRedis();
let gateway: GatewayProcess;
const url = (path: string) => `http://127.0.0.1:${gateway.port}${path}`;

beforeAll(async () => {
  gateway = await startGatewayProcess(
    { REDIS_URL: test.redis.url, BATCH_BODY_LIMIT_BYTES: String(BATCH_LIMIT), MAX_INFLIGHT_BODY_BYTES: String(CAP), ...LINGER_ENV },
    { runtime: 'bun' },
  );
}, 60_000);

afterAll(async () => {
  await gateway?.service.stop('SIGKILL');
});

describe('under Bun, a body over the limit: the client reads the 413', () => {
  itLetsClientsReadThe413('bun', { port: () => gateway.port, limitOf: { [EVENTS]: BODY_LIMIT, [BATCH]: BATCH_LIMIT } }, { fetch: 3, python: 1 });
});

describe('under Bun, the rest of the body is discarded within bounds', () => {
  it('a chunked body still coming after LINGER_MAX_BYTES is cut (its 413, with Connection: close, may be lost in the reset)', async () => {
    const exchange = await flood(gateway.port, postHead(EVENTS, { 'Transfer-Encoding': 'chunked' }), 400 * MiB, { chunked: true });
    expect(exchange.sentAll).toBe(false);
    // Under Bun the answer goes out only when the server gives up, then Bun closes with the
    // client's bytes unread: the reset can beat the 413 to the client (seen under load).
    for (const answer of exchange.answers) {
      expect(answer.status).toBe(413);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body)).toEqual(tooLarge(BODY_LIMIT));
    }
    expect(exchange.bytesSent).toBeGreaterThan(LINGER_MAX_BYTES);
    expect(exchange.bytesSent).toBeLessThan(LINGER_MAX_BYTES + MiB + SOCKET_BUFFERS);
    console.info(
      `[bun] chunked 400 MB: cut after ${(exchange.bytesSent / MiB).toFixed(1)} MiB, ${exchange.closedAfterMs.toFixed(0)} ms; ` +
        `413 read: ${exchange.answers.length > 0}`,
    );
  });

  it('a Content-Length past LINGER_MAX_BYTES: the 413 at once, with Connection: close', async () => {
    const exchange = await rawRequest(gateway.port, postHead(EVENTS, { 'Content-Length': 500 * MiB }));
    expect(exchange.status).toBe(413);
    expect(exchange.headers.connection).toBe('close');
    expect(JSON.parse(exchange.body)).toEqual(tooLarge(BODY_LIMIT));
    expect(exchange.closedAfterMs).toBeLessThan(1_000);
  });

  it('a body that stops coming: the 413 after LINGER_TIMEOUT_MS, and the connection closed', async () => {
    const exchange = await rawRequest(gateway.port, postHead(EVENTS, { 'Content-Length': 12 * MiB }), {
      feed: (socket) => socket.write(Buffer.alloc(2 * MiB, 0x20)),
    });
    expect(exchange.status).toBe(413);
    expect(exchange.headers.connection).toBe('close');
    expect(JSON.parse(exchange.body)).toEqual(tooLarge(BODY_LIMIT));
    expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(LINGER_TIMEOUT_MS - 50);
    expect(exchange.closedAfterMs).toBeLessThan(LINGER_TIMEOUT_MS + 2_000);
    console.info(`[bun] stalled after 2 MB of 12 MB: 413 after ${exchange.closedAfterMs.toFixed(0)} ms`);
  });

  it('a client that sends the whole body before reading gets the 413, and the connection serves its next request', async () => {
    const next = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    const exchange = await flood(gateway.port, postHead(EVENTS, { 'Content-Length': 20 * MiB }), 20 * MiB, { then: next });
    expect(exchange.sentAll).toBe(true);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([413, 200]);
    expect(JSON.parse(exchange.answers[1]?.body ?? '')).toEqual({ status: 'ok' });
  });
});

describe('under Bun, MAX_INFLIGHT_BODY_BYTES', () => {
  it('held bodies count: the next request gets 503 overloaded with Retry-After, and 202 once they are gone', async () => {
    await expectStalledUploadsHoldTheBudget(gateway.port, { count: 2, bytes: BATCH_LIMIT }, CAP);
  });
});

describe('under Bun, the rest of the HTTP contract', () => {
  it('Expect: 417-nope → 417 expectation_failed in JSON', async () => {
    const exchange = await rawRequest(gateway.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 417-nope\r\nConnection: close\r\n\r\n');
    expect(exchange.status).toBe(417);
    expect(JSON.parse(exchange.body)).toMatchObject({ code: 'expectation_failed' });
  });

  it('HTTP/1.1 without Host: Bun answers its own bare 400 before the app sees the request (a Bun limit)', async () => {
    const exchange = await rawRequest(gateway.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(exchange.status).toBe(400);
    // If a Bun release lets such requests through, the app answers JSON and this test should say so.
    expect(exchange.headers['content-type']).toBeUndefined();
  });

  it('the 202 echoes numbers as written', async () => {
    const body = '{"user_id":"bun-echo","event_type":"e","timestamp":"t","payload":{"price":100.0,"big":18446744073709551617,"huge":1e400}}';
    const response = await fetch(url(EVENTS), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(202);
    expect(await response.text()).toContain('"payload":{"price":100.0,"big":18446744073709551617,"huge":1e400}');
  });
});
