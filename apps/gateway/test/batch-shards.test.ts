/** Batches over STREAM_SHARDS=4: every event in its own shard's stream, one script call per shard. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventHash, parseJson, type DedupEvent } from '@ddup/hashing';
import { allEventsStreamKeys, eventsStreamKey, shardOf } from '@ddup/store';
import { sampleEvent, seenState, useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

const SHARDS = 4;
const test = useTestRedis({ flushAfterEach: true });
let gateway: Gateway;

interface Result {
  status: string;
  id?: string;
  hash: string;
}

async function postBatch(events: unknown[]) {
  const response = await gateway.app.request(`${API_PREFIX}/events/batch`, { method: 'POST', body: JSON.stringify(events) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { results: Result[] }).results;
}

function hashOf(event: unknown): string {
  return eventHash(parseJson(JSON.stringify(event)) as unknown as DedupEvent, 'python').hash;
}

/** Script calls that ran (a first EVALSHA fails with NOSCRIPT and is retried as EVAL). */
async function scriptCalls(): Promise<number> {
  const stats = await test.client.info('commandstats');
  let ran = 0;
  for (const [, calls, failed] of stats.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+),.*failed_calls=(\d+)/g)) {
    ran += Number(calls) - Number(failed);
  }
  return ran;
}

beforeAll(async () => {
  // The data is flushed between tests on purpose: not a reset to hold on.
  gateway = await startTestGateway({ REDIS_URL: test.redis.url, STREAM_SHARDS: String(SHARDS), ALLOW_REDIS_RESET: 'true' });
});

afterAll(async () => {
  await stopTestGateway(gateway);
});

it('puts each event in the stream of its shard, with one script call per shard', async () => {
  const events = Array.from({ length: 400 }, (_, i) => sampleEvent(`sharded-${i}`));
  await test.client.configResetStat();
  const results = await postBatch(events);
  expect(await scriptCalls()).toBe(SHARDS);

  const perShard = new Array<number>(SHARDS).fill(0);
  for (const [i, result] of results.entries()) {
    expect(result).toMatchObject({ status: 'accepted', hash: hashOf(events[i]) });
    const shard = shardOf(result.hash, SHARDS);
    perShard[shard] = (perShard[shard] ?? 0) + 1;
    const id = String(result.id);
    const entries = await test.client.xRange(eventsStreamKey(shard), id, id);
    expect(entries?.[0]?.message.hash).toBe(result.hash);
    expect(await seenState(test.client, result.hash, { shardCount: SHARDS })).toBe('pending');
  }
  // Every shard got some, and each stream holds exactly its share.
  for (const [shard, key] of allEventsStreamKeys(SHARDS).entries()) {
    expect(perShard[shard]).toBeGreaterThan(0);
    expect(await test.client.xLen(key)).toBe(perShard[shard]);
  }
});

it('accepts each event exactly once when identical batches race over several shards', async () => {
  const events = Array.from({ length: 200 }, (_, i) => sampleEvent(`sharded-race-${i}`));
  const answers = await Promise.all([postBatch(events), postBatch([...events].reverse()), postBatch(events)]);
  const accepted = answers.flat().filter((result) => result.status === 'accepted');
  expect(accepted).toHaveLength(200);
  expect(new Set(accepted.map((result) => result.hash)).size).toBe(200);
  let stored = 0;
  for (const key of allEventsStreamKeys(SHARDS)) stored += await test.client.xLen(key);
  expect(stored).toBe(200);
});
