import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '@ddup/hashing';
import { allEventsStreamKeys, eventsStreamKey, seenKey, shardOf } from '@ddup/redis-keys';
import { type RedisConnection, createLogger, createRedisConnection } from '@ddup/runtime';
import { sampleEvent, useTestRedis } from '@ddup/test-utils';
import { type AdmissionSettings, ReplicationTimeoutError, createEventAdmitter } from './admission.ts';
import { API_PREFIX } from './app.ts';
import { createPerEventBatchAdmitter } from './batch-admission.ts';
import type { HashedEvent } from './batch-item.ts';
import { COALESCE_MAX_CALL_CHARS, COALESCE_MAX_EVENT_CHARS, createCoalescingAdmitter } from './coalescing-admission.ts';
import type { Gateway } from './gateway.ts';
import { startTestGateway, stopTestGateway } from '../test/test-gateway.ts';

const EVENTS = `http://localhost${API_PREFIX}/events`;
const test = useTestRedis();

async function scriptCalls(): Promise<number> {
  const stats = await test.client.sendCommand<string>(['INFO', 'commandstats']);
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1] ?? 0) + Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

async function streamLength(shards: number): Promise<number> {
  const lengths = await Promise.all(allEventsStreamKeys(shards).map((key) => test.client.xLen(key)));
  return lengths.reduce((sum, length) => sum + length, 0);
}

/** Posts every body at once (one turn of the event loop starts them all); the statuses in order. */
async function postAll(gateway: Gateway, bodies: readonly string[]) {
  const responses = await Promise.all(
    bodies.map((body) => gateway.app.request(EVENTS, { method: 'POST', body, headers: { 'content-type': 'application/json' } })),
  );
  return Promise.all(responses.map(async (response) => ({ status: response.status, json: (await response.json()) as Record<string, unknown> })));
}

describe.each([
  { coalesce: 'true', shards: 1 },
  { coalesce: 'true', shards: 4 },
  { coalesce: 'false', shards: 1 },
])('ADMISSION_COALESCE=$coalesce, STREAM_SHARDS=$shards', ({ coalesce, shards }) => {
  let gateway: Gateway;
  beforeAll(async () => {
    await test.client.flushAll();
    gateway = await startTestGateway({ REDIS_URL: test.redis.url, ADMISSION_COALESCE: coalesce, STREAM_SHARDS: String(shards) });
    // Once, so that Redis has the script cached: the calls counted below are then one EVALSHA each.
    await postAll(gateway, [JSON.stringify(sampleEvent(`warm-up-${coalesce}-${shards}`))]);
  });
  afterAll(() => stopTestGateway(gateway));

  it('admits 200 different events posted at once: 200 × 202, each stored once with its seen key', async () => {
    const before = await scriptCalls();
    const replies = await postAll(gateway, Array.from({ length: 200 }, (_, i) => JSON.stringify(sampleEvent(`many-${coalesce}-${shards}-${i}`))));
    const calls = (await scriptCalls()) - before;
    expect(replies.map((reply) => reply.status)).toEqual(Array(200).fill(202));
    expect(await streamLength(shards)).toBe(201);
    for (const { json } of replies.slice(0, 20)) {
      const hash = String(json.hash);
      expect(await test.client.get(seenKey(shardOf(hash, shards), hash))).toBe('pending');
    }
    // Coalesced: one call per shard per turn (a few turns at most); otherwise one per event.
    if (coalesce === 'true') expect(calls).toBeLessThanOrEqual(shards * 5);
    else expect(calls).toBe(200);
  });

  it('gives exactly one 202 to 50 identical posts at once, and 409 with the state to the others', async () => {
    const body = JSON.stringify(sampleEvent(`race-${coalesce}-${shards}`));
    const replies = await postAll(gateway, Array(50).fill(body));
    expect(replies.filter((reply) => reply.status === 202)).toHaveLength(1);
    const duplicates = replies.filter((reply) => reply.status === 409);
    expect(duplicates).toHaveLength(49);
    for (const { json } of duplicates) expect(json).toMatchObject({ detail: 'Duplicate event detected', state: 'pending' });
  });

  it('answers 409 to an event admitted in an earlier turn, mixed with new ones', async () => {
    const old = JSON.stringify(sampleEvent(`old-${coalesce}-${shards}`));
    expect((await postAll(gateway, [old]))[0]?.status).toBe(202);
    const fresh = Array.from({ length: 5 }, (_, i) => JSON.stringify(sampleEvent(`fresh-${coalesce}-${shards}-${i}`)));
    const replies = await postAll(gateway, [fresh[0] ?? '', old, ...fresh.slice(1)]);
    expect(replies.map((reply) => reply.status)).toEqual([202, 409, 202, 202, 202, 202]);
  });
});

describe('createCoalescingAdmitter: limits and replication', () => {
  const settings = { windowSeconds: 3_600, shardCount: 1 };
  let connection: RedisConnection;
  beforeAll(async () => {
    connection = createRedisConnection({ target: { kind: 'single', url: test.redis.url }, name: 'test', commandTimeoutMs: 5_000, logger: createLogger('test', 'error') });
    await connection.connect();
  });
  afterAll(() => connection.close());

  /** The real admitters, each wrapped to record what it is called with. */
  function recordingAdmitters(waitForReplicas?: AdmissionSettings['waitForReplicas']) {
    const admission = waitForReplicas ? { ...settings, waitForReplicas } : settings;
    const batchCalls: number[] = [];
    const aloneCalls: number[] = [];
    const batch = createPerEventBatchAdmitter(connection, admission);
    const alone = createEventAdmitter(connection, admission);
    return {
      batchCalls,
      aloneCalls,
      batch: (events: readonly HashedEvent[]) => {
        batchCalls.push(events.reduce((sum, event) => sum + event.canonical.length, 0));
        return batch(events);
      },
      alone: (hash: string, canonical: string) => {
        aloneCalls.push(canonical.length);
        return alone(hash, canonical);
      },
    };
  }

  const eventOf = (name: string, chars: number) => eventHash({ user_id: name, event_type: 'e', timestamp: 't', payload: { blob: 'x'.repeat(chars) } }, 'python');

  it('admits an event over COALESCE_MAX_EVENT_CHARS alone, and keeps every call under maxChars', async () => {
    const admitters = recordingAdmitters();
    const admit = createCoalescingAdmitter(admitters.batch, admitters.alone, { maxEvents: 1_000, maxChars: 200_000 });
    const big = eventOf('big', COALESCE_MAX_EVENT_CHARS + 1);
    const mid = Array.from({ length: 12 }, (_, i) => eventOf(`mid-${i}`, 40_000));
    const outcomes = await Promise.all([big, ...mid].map((event) => admit(event.hash, event.canonical)));
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(Array(13).fill('accepted'));
    expect(admitters.aloneCalls).toEqual([big.canonical.length]);
    // 12 × ~40,000 characters in calls of at most 200,000: three or more calls, none over the cap.
    expect(admitters.batchCalls.length).toBeGreaterThanOrEqual(3);
    for (const chars of admitters.batchCalls) expect(chars).toBeLessThanOrEqual(200_000);
    expect(await test.client.xLen(eventsStreamKey(0))).toBeGreaterThanOrEqual(13);
  });

  it('with WAIT short of replicas: 503 for the accepted events of the call, 409 still for its duplicates', async () => {
    const admitters = recordingAdmitters({ replicas: 1, timeoutMs: 100 });
    const admit = createCoalescingAdmitter(admitters.batch, admitters.alone, { maxEvents: 1_000, maxChars: COALESCE_MAX_CALL_CHARS });
    const old = eventOf('stored-before', 10);
    // Stored on the primary, but no replica acknowledges it (this Redis has none).
    await expect(admit(old.hash, old.canonical)).rejects.toBeInstanceOf(ReplicationTimeoutError);
    const fresh = eventOf('fresh', 10);
    const settled = await Promise.allSettled([admit(old.hash, old.canonical), admit(fresh.hash, fresh.canonical), admit(fresh.hash, fresh.canonical)]);
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { outcome: 'duplicate', hash: old.hash, state: 'pending' } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: expect.any(ReplicationTimeoutError) });
    // The repeat within the turn is a duplicate of the first, as it would be one call later.
    expect(settled[2]).toMatchObject({ status: 'fulfilled', value: { outcome: 'duplicate', hash: fresh.hash, state: 'pending' } });
    expect(admitters.batchCalls).toHaveLength(2);
  });
});
