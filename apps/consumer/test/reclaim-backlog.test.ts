import { expect, it } from 'vitest';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, eventsStreamKey } from '@ddup/store';
import { createLogger } from '@ddup/runtime';
import { admitEvents, eventually, names, seenState, useTestRedis, workersGroupInfo } from '@ddup/test-utils';
import { ConsumerPool } from '../src/consumer-pool.ts';
import { testPoolSettings } from './pool-settings.ts';

// A big backlog left pending by a dead consumer is taken over in one reclaim round, page after
// page, not one page (CONSUMER_BATCH_SIZE) per CONSUMER_CLAIM_INTERVAL_MS.

const EVENTS = 3_000;
const PAGE = 500;
const test = useTestRedis();

it(`reclaims ${EVENTS} stale entries (${EVENTS / PAGE} pages) in one round`, async () => {
  const { redis, client } = test;
  const hashes = await admitEvents(client, names('backlog', EVENTS));
  const stream = eventsStreamKey(0);
  const workers = new StreamGroup(CONSUMER_GROUP, [stream]);
  await workers.ensure(client, '0');
  // Delivered to a consumer that died before confirming any.
  await workers.read(client, 'dead', [[stream, NEW_ENTRIES]], EVENTS);
  expect((await workersGroupInfo(client, stream)).pending).toBe(EVENTS);
  await new Promise((resolve) => setTimeout(resolve, 150));

  // The next round is a minute away: only the first one, at start, can take them over.
  const settings = { concurrency: 1, batchSize: PAGE, claimIdleMs: 100, claimIntervalMs: 60_000, consumerName: 'rescuer' };
  const pool = ConsumerPool.start(testPoolSettings(redis.url, settings), createLogger('test', 'error'));
  try {
    await eventually('every stale entry confirmed', async () => (await workersGroupInfo(client, stream)).pending === 0, 20_000);
    const states = await Promise.all(hashes.map((hash) => seenState(client, hash, { windowSeconds: 3_600 })));
    expect(new Set(states)).toEqual(new Set(['processed']));
  } finally {
    await pool.close();
  }
});
