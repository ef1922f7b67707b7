import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsStreamKey } from '@ddup/store';
import { type TestRedis, rememberedEvent, sampleEvent, seenState, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from './app.ts';
import type { Gateway } from './gateway.ts';
import { startTestGateway, stopTestGateway } from '../test/test-gateway.ts';

const EVENTS = `http://localhost${API_PREFIX}/events`;
let redis: TestRedis;
let gateway: Gateway;

async function post(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return await gateway.app.request(EVENTS, { method: 'POST', body, headers });
}

beforeAll(async () => {
  redis = await startTestRedis();
  gateway = await startTestGateway({ REDIS_URL: redis.url, BODY_LIMIT_BYTES: '4096' });
});

afterAll(async () => {
  await stopTestGateway(gateway);
  await redis.cleanup();
});

describe('POST /events', () => {
  it('accepts a new event with 202, its stream id and hash, and stores it in the stream', async () => {
    const event = sampleEvent('new-1');
    const response = await post(JSON.stringify(event));
    expect(response.status).toBe(202);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'accepted', event });
    expect(body.id).toMatch(/^\d+-\d+$/);
    expect(body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof body.timestamp).toBe('string');

    const client = await redis.client();
    const entries = await client.xRange(eventsStreamKey(0), String(body.id), String(body.id));
    expect(entries?.[0]?.message.hash).toBe(body.hash);
    expect(await seenState(client, String(body.hash))).toBe('pending');
    const remembered = await rememberedEvent(client, String(body.hash));
    expect((remembered?.expiresMs ?? 0) - Date.now()).toBeGreaterThan((7 * 24 * 3600 - 5) * 1000);
  });

  it('answers 409 for the same event again, at once and without a worker', async () => {
    const event = JSON.stringify(sampleEvent('dup-1'));
    const first = await post(event);
    const second = await post(event);
    expect(first.status).toBe(202);
    expect(second.status).toBe(409);
    const body = (await second.json()) as Record<string, unknown>;
    expect(body.detail).toBe('Duplicate event detected');
    expect(body.hash).toBe(((await first.json()) as Record<string, unknown>).hash);
  });

  it('writes the 202 and the 409 byte for byte: key order, numbers as written, JSON content type', async () => {
    const text = '{"user_id":"u-bytes","event_type":"e","timestamp":"t","payload":{"n":100.0,"big":18446744073709551617}}';
    const first = await post(text);
    const second = await post(text);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(second.headers.get('content-type')).toBe('application/json');
    expect(await first.text()).toMatch(
      /^\{"status":"accepted","event":\{"user_id":"u-bytes","event_type":"e","timestamp":"t","payload":\{"n":100\.0,"big":18446744073709551617\}\},"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","id":"\d+-\d+","hash":"[0-9a-f]{64}"\}$/,
    );
    expect(await second.text()).toMatch(
      /^\{"detail":"Duplicate event detected","hash":"[0-9a-f]{64}","state":"pending","first_seen_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z","code":"duplicate"\}$/,
    );
  });

  it('ignores unknown top-level fields and key order when deciding what is a duplicate', async () => {
    const first = await post('{"user_id":"u-order","event_type":"e","timestamp":"t","payload":{"a":1,"b":2}}');
    const reordered = await post('{"payload":{"b":2,"a":1},"timestamp":"t","event_type":"e","user_id":"u-order","extra":true}');
    expect(first.status).toBe(202);
    expect(reordered.status).toBe(409);
  });

  it('tells 100 and 100.0 apart, as the Python service did', async () => {
    const integer = await post('{"user_id":"u-num","event_type":"e","timestamp":"t","payload":{"n":100}}');
    const float = await post('{"user_id":"u-num","event_type":"e","timestamp":"t","payload":{"n":100.0}}');
    expect(integer.status).toBe(202);
    expect(float.status).toBe(202);
  });

  it('gives exactly one 202 to 50 concurrent identical posts', async () => {
    const event = JSON.stringify(sampleEvent('race-1'));
    const statuses = await Promise.all(Array.from({ length: 50 }, () => post(event).then((r) => r.status)));
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  });
});

describe('422 in the FastAPI shape', () => {
  async function detail(body: string) {
    const response = await post(body);
    expect(response.status).toBe(422);
    const json = (await response.json()) as { detail: { type: string; loc: (string | number)[]; msg: string }[] };
    return json.detail;
  }

  it('malformed JSON → json_invalid with the position in loc', async () => {
    const [problem] = await detail('{"user_id": "u1",');
    expect(problem).toMatchObject({ type: 'json_invalid', loc: ['body', 17], msg: 'JSON decode error' });
  });

  it('a missing field → missing with its name in loc', async () => {
    const { user_id: _, ...event } = sampleEvent('missing');
    const problems = await detail(JSON.stringify(event));
    expect(problems).toEqual([expect.objectContaining({ type: 'missing', loc: ['body', 'user_id'], msg: 'Field required' })]);
  });

  it('a wrong type → string_type', async () => {
    const problems = await detail(JSON.stringify(sampleEvent('t', { event_type: 5 })));
    expect(problems).toEqual([expect.objectContaining({ type: 'string_type', loc: ['body', 'event_type'], input: 5 })]);
  });

  it('a payload that is not an object → dict_type', async () => {
    for (const payload of [[1, 2], 'text', 3, null]) {
      const problems = await detail(JSON.stringify(sampleEvent('p', { payload })));
      expect(problems).toEqual([expect.objectContaining({ type: 'dict_type', loc: ['body', 'payload'] })]);
    }
  });

  it('a body that is not an object, or empty', async () => {
    expect((await detail('[1,2]'))[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
    expect((await detail(''))[0]).toMatchObject({ type: 'missing', loc: ['body'] });
  });

  it('nesting deeper than the limit → json_invalid, fast', async () => {
    const deep = `{"user_id":"u","event_type":"e","timestamp":"t","payload":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}`;
    const problems = await detail(deep);
    expect(problems[0]?.type).toBe('json_invalid');
  });
});

describe('limits and other routes', () => {
  it('413 for a body over the limit', async () => {
    const big = JSON.stringify(sampleEvent('big', { payload: { blob: 'x'.repeat(5000) } }));
    const response = await post(big);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'body_too_large', limit_bytes: 4096 });
  });

  it('GET /test, /healthz, /readyz and a JSON 404', async () => {
    expect(await (await gateway.app.request(`${API_PREFIX}/test`)).json()).toEqual({ message: 'successful' });
    expect((await gateway.app.request('/healthz')).status).toBe(200);
    const ready = await gateway.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const missing = await gateway.app.request('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ detail: 'Not Found' });
  });
});
