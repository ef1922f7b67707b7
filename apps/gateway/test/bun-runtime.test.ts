import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash, isJsonObject, parseJson } from '@ddup/hashing';
import { eventsStreamKey } from '@ddup/store';
import { type TestRedis, postJson, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { type BunGateway, requireBunBinary, startBunGateway, stopBunGateway } from './bun-gateway.ts';
import { postHead, rawRequest } from './raw-http.ts';

const BODY_TIMEOUT_MS = 1_500;
const BODY_LIMIT_BYTES = 64 * 1024;

/** The dedup hash of a request body, computed as the Node gateway computes it. */
function expectedHash(body: string): string {
  const parsed = parseJson(body);
  if (!isJsonObject(parsed)) throw new Error('not an object');
  const { user_id, event_type, timestamp, payload } = parsed;
  if (typeof user_id !== 'string' || typeof event_type !== 'string' || typeof timestamp !== 'string' || !isJsonObject(payload)) {
    throw new Error('not an event');
  }
  return eventHash({ user_id, event_type, timestamp, payload }, 'python').hash;
}

let bun: string;
let redis: TestRedis;
let gateway: BunGateway;
const eventsUrl = () => `http://127.0.0.1:${gateway.port}${API_PREFIX}/events`;

beforeAll(async () => {
  bun = requireBunBinary();
  redis = await startTestRedis();
  gateway = await startBunGateway(bun, {
    REDIS_URL: redis.url,
    BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
  });
});

afterAll(async () => {
  await stopBunGateway(gateway);
  await redis?.cleanup();
});

describe('the gateway under Bun', () => {
  it('runs on the Bun binary installed from npm', () => {
    const version = execFileSync(bun, ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    const listening = gateway
      .output()
      .split('\n')
      .find((line) => line.includes('"message":"gateway listening"'));
    expect(JSON.parse(listening ?? '{}')).toMatchObject({ runtime: 'bun', bunVersion: version, port: gateway.port });
  });

  it('answers 202 with id and hash for a new event, the hash the Node gateway computes, then 409', async () => {
    // A float written as 100.0, non-ASCII text and an unknown top-level field: the Python form
    // must come out byte for byte as under Node.
    const body = '{"user_id":"bun-1","event_type":"view","timestamp":"2026-01-01T00:00:00Z","payload":{"price":100.0,"name":"café"},"extra":1}';
    const hash = expectedHash(body);

    const first = await postJson(eventsUrl(), body);
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ status: 'accepted', hash });
    expect(first.json['id']).toMatch(/^\d+-\d+$/);
    const client = await redis.client();
    const entries = await client.xRange(eventsStreamKey(0), '-', '+');
    expect((entries ?? []).find((entry) => entry.id === first.json['id'])?.message['hash']).toBe(hash);

    const again = await postJson(eventsUrl(), body);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ detail: 'Duplicate event detected', hash });
  });

  it('answers 422 json_invalid for malformed JSON and a FastAPI-shaped 422 for a missing field', async () => {
    const malformed = await postJson(eventsUrl(), '{"user_id": "x",');
    expect(malformed.status).toBe(422);
    const malformedDetail = malformed.json['detail'] as { type: string; loc: unknown[] }[];
    expect(malformedDetail[0]?.type).toBe('json_invalid');

    const missing = await postJson(eventsUrl(), JSON.stringify({ event_type: 'view', timestamp: 't', payload: {} }));
    expect(missing.status).toBe(422);
    const missingDetail = missing.json['detail'] as { type: string; loc: unknown[] }[];
    expect(missingDetail[0]).toMatchObject({ type: 'missing', loc: ['body', 'user_id'] });
  });

  it("answers the app's JSON 413, not Bun's bare one, even for a Content-Length far over the limit", async () => {
    const huge = await rawRequest(gateway.port, postHead(`${API_PREFIX}/events`, { 'content-length': 500_000_000 }));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ code: 'body_too_large', limit_bytes: BODY_LIMIT_BYTES });

    const over = await postJson(eventsUrl(), JSON.stringify({ user_id: 'x'.repeat(BODY_LIMIT_BYTES), event_type: 'e', timestamp: 't', payload: {} }));
    expect(over.status).toBe(413);
    expect(over.json).toMatchObject({ code: 'body_too_large' });
  });

  it('answers a stalled body with JSON 408 after BODY_TIMEOUT_MS and closes the connection', async () => {
    const stalled = await rawRequest(gateway.port, `${postHead(`${API_PREFIX}/events`, { 'content-length': 100 })}{"user_id"`);
    expect(stalled.status).toBe(408);
    expect(JSON.parse(stalled.body)).toMatchObject({ code: 'request_timeout' });
    expect(stalled.closedAfterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(stalled.closedAfterMs).toBeLessThan(BODY_TIMEOUT_MS + 2_000);
  });

  // Last: it stops the gateway.
  it('finishes a request in flight on SIGTERM, then exits with 0', async () => {
    const body = JSON.stringify({ user_id: 'in-flight', event_type: 'view', timestamp: 't', payload: {} });
    const half = Math.floor(body.length / 2);
    const inFlight = rawRequest(gateway.port, postHead(`${API_PREFIX}/events`, { 'content-length': body.length, connection: 'close' }) + body.slice(0, half), {
      feed: (socket) => {
        // Half the body is in; the rest comes after the signal.
        setTimeout(() => {
          gateway.child.kill('SIGTERM');
          setTimeout(() => socket.write(body.slice(half)), 300);
        }, 200);
      },
    });
    const answer = await inFlight;
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({ hash: expectedHash(body) });
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('"message":"gateway stopped"');
    await expect(fetch(`http://127.0.0.1:${gateway.port}/healthz`)).rejects.toThrow();
  });
});
