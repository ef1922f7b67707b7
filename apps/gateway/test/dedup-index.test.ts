import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash, isJsonObject, parseJson } from '@ddup/hashing';
import { eventsStreamKey } from '@ddup/store';
import { type TestRedis, postJson, sampleEvent, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { ServedGateways, startTestGateway } from './test-gateway.ts';

// What a client sees of the dedup index over real HTTP (Node fetch): when a duplicate was first
// seen, and the Python service's keys honoured with SEED_LEGACY_KEYS.

let redis: TestRedis;
const served = new ServedGateways();

async function serve(env: Record<string, string>): Promise<string> {
  return `${await served.serve(await startTestGateway({ REDIS_URL: redis.url, ...env }))}${API_PREFIX}/events`;
}

beforeAll(async () => {
  redis = await startTestRedis();
});

afterAll(async () => {
  await served.closeAll();
  await redis.cleanup();
});

describe('the 409', () => {
  it('says when the event was first accepted: the start of the second of its stream entry, ISO 8601 UTC', async () => {
    const url = await serve({});
    const body = JSON.stringify(sampleEvent('first-seen'));
    const accepted = await postJson(url, body);
    expect(accepted.status).toBe(202);
    const acceptedMs = Number(String(accepted.json.id).split('-')[0]);
    const duplicate = await postJson(url, body);
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toEqual({
      detail: 'Duplicate event detected',
      hash: accepted.json.hash,
      state: 'pending',
      first_seen_at: new Date(acceptedMs - (acceptedMs % 1000)).toISOString(),
      code: 'duplicate',
    });
  });
});

describe('SEED_LEGACY_KEYS', () => {
  it('treats a key the Python service wrote (SETEX <hash> in db 0) as a duplicate; without it, the event is new', async () => {
    const event = sampleEvent('legacy');
    const body = JSON.stringify(event);
    const payload = parseJson(JSON.stringify(event.payload));
    if (!isJsonObject(payload)) throw new Error('payload is an object');
    const { hash } = eventHash({ ...event, payload }, 'python');
    const client = await redis.client();
    await client.set(hash, '1', { EX: 600 });

    const seeded = await serve({ SEED_LEGACY_KEYS: 'true' });
    const streamBefore = await client.xLen(eventsStreamKey(0));
    const duplicate = await postJson(seeded, body);
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toMatchObject({ hash, state: 'processed', first_seen_at: null, code: 'duplicate' });
    expect(await client.xLen(eventsStreamKey(0))).toBe(streamBefore);

    const unseeded = await postJson(await serve({}), body);
    expect(unseeded.status).toBe(202);
    expect(unseeded.json.hash).toBe(hash);
  });
});
