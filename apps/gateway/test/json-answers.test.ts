/**
 * Every answer is JSON, and the 202 echoes the event as it was parsed: the Node gateway as its own
 * process (main.ts) with a real redis-server; raw sockets for what HTTP clients will not send (no
 * Host, an unknown Expect), Node's fetch reading the raw text of the 202.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash, isJsonObject, parseJson } from '@ddup/hashing';
import { type GatewayProcess, startGatewayProcess, useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { type RawExchange, rawRequest } from './raw-http.ts';

const EVENTS = `${API_PREFIX}/events`;

const test = useTestRedis();
let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGatewayProcess({ REDIS_URL: test.redis.url });
}, 60_000);

afterAll(async () => {
  await gateway?.service.stop();
});

/** The answer's JSON, after checking it says it is JSON. */
function jsonOf(exchange: RawExchange): Record<string, unknown> {
  expect(exchange.headers['content-type'], exchange.body).toMatch(/^application\/json/);
  return JSON.parse(exchange.body) as Record<string, unknown>;
}

describe('answers Node would give in plain text or empty are JSON', () => {
  it('HTTP/1.1 without Host → 400 bad_request in JSON (Node alone: an empty 400)', async () => {
    const exchange = await rawRequest(gateway.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(exchange.status).toBe(400);
    expect(jsonOf(exchange)).toEqual({ detail: 'The request has no Host header', code: 'bad_request' });
    const post = await rawRequest(gateway.port, `POST ${EVENTS} HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    expect(post.status).toBe(400);
    expect(jsonOf(post)).toMatchObject({ code: 'bad_request' });
  });

  it('HTTP/1.0 without Host, and a malformed Host → 400 bad_request in JSON', async () => {
    const old = await rawRequest(gateway.port, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(old.status).toBe(400);
    expect(jsonOf(old)).toMatchObject({ code: 'bad_request' });
    const bad = await rawRequest(gateway.port, 'GET /healthz HTTP/1.1\r\nHost: a b/c\r\nConnection: close\r\n\r\n');
    expect(bad.status).toBe(400);
    expect(jsonOf(bad)).toMatchObject({ code: 'bad_request' });
  });

  it('Expect: 417-nope → 417 expectation_failed in JSON (Node alone: an empty 417), with or without a body', async () => {
    const get = await rawRequest(gateway.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 417-nope\r\nConnection: close\r\n\r\n');
    expect(get.status).toBe(417);
    expect(jsonOf(get)).toEqual({ detail: 'Expect: 417-nope is not supported (only 100-continue is)', code: 'expectation_failed' });
    const body = '{"user_id":"u","event_type":"e","timestamp":"t","payload":{}}';
    const post = await rawRequest(
      gateway.port,
      `POST ${EVENTS} HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 417-nope\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(post.status).toBe(417);
    expect(jsonOf(post)).toMatchObject({ code: 'expectation_failed' });
  });

  it('Expect: 100-continue still works: 100 Continue, then the 202', async () => {
    const body = '{"user_id":"continue","event_type":"e","timestamp":"t","payload":{}}';
    const head = `POST ${EVENTS} HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const exchange = await rawRequest(gateway.port, head, { feed: (socket) => socket.once('data', () => socket.write(body)) });
    expect(exchange.status).toBe(100);
    expect(exchange.body).toMatch(/^HTTP\/1\.1 202 /);
  });
});

describe('the 202 echoes the event as parsed: numbers as written', () => {
  it('100.0, integers past 2^53, 1e400, -0 and 1E2 come back as sent, and the hash is of them', async () => {
    const payload = '{"price":100.0,"big":18446744073709551617,"huge":1e400,"neg":-0,"exp":1E2,"list":[0.10,2e-3],"s":"caf\\u00e9"}';
    const body = `{"user_id":"echo-1","event_type":"view","timestamp":"2026-01-01T00:00:00Z","payload":${payload},"extra":1}`;
    const response = await fetch(`http://127.0.0.1:${gateway.port}${EVENTS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    // The echoed payload, byte for byte as written (strings re-escaped as JSON does).
    expect(text).toContain('"payload":{"price":100.0,"big":18446744073709551617,"huge":1e400,"neg":-0,"exp":1E2,"list":[0.10,2e-3],"s":"café"}');
    expect(text).toContain('"event":{"user_id":"echo-1","event_type":"view","timestamp":"2026-01-01T00:00:00Z","payload":');
    expect(text).not.toContain('extra');
    // Still JSON any parser reads (numbers as written are valid JSON numbers).
    const parsed = parseJson(text);
    expect(isJsonObject(parsed)).toBe(true);
    if (!isJsonObject(parsed)) return;
    const event = parseJson(body);
    if (!isJsonObject(event) || !isJsonObject(event['payload'])) throw new Error('not an event');
    const expected = eventHash({ user_id: 'echo-1', event_type: 'view', timestamp: '2026-01-01T00:00:00Z', payload: event['payload'] }, 'python');
    expect(parsed['hash']).toBe(expected.hash);
    expect(parsed['status']).toBe('accepted');
    expect(String(parsed['id'])).toMatch(/^\d+-\d+$/);
  });
});
