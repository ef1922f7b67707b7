import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, eventsStreamKey } from '@ddup/store';
import {
  type ServiceProcess,
  type TestRedis,
  admitEvents,
  eventually,
  names,
  seenState,
  startService,
  startTestRedis,
  workersGroupInfo,
} from '@ddup/test-utils';

const CONSUMER_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const SHARDS = 2;
const EVENTS = 20_000;
const WINDOW = 3_600;
let redis: TestRedis;
let client: Awaited<ReturnType<TestRedis['client']>>;
const processes: ServiceProcess[] = [];
const workers = StreamGroup.ofEvents(CONSUMER_GROUP, SHARDS);

beforeAll(async () => {
  redis = await startTestRedis();
  client = await redis.client();
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await redis.cleanup();
});

function consumerEnv(name: string): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    STREAM_SHARDS: String(SHARDS),
    DEDUP_WINDOW_SECONDS: String(WINDOW),
    CONSUMER_NAME: name,
    CONSUMER_CONCURRENCY: '2',
    CONSUMER_BATCH_SIZE: '200',
    CONSUMER_BLOCK_MS: '200',
    CONSUMER_CLAIM_IDLE_MS: '1000',
    CONSUMER_CLAIM_INTERVAL_MS: '200',
    LOG_LEVEL: 'info',
  };
}

async function groupTotals() {
  let pending = 0;
  let lag = 0;
  for (const stream of workers.streams) {
    const info = await workersGroupInfo(client, stream);
    pending += Number(info.pending);
    lag += Number(info.lag);
  }
  return { pending, lag };
}

it('a consumer killed with SIGKILL mid-run leaves entries that another consumer reclaims and confirms', async () => {
  const hashes: string[] = [];
  for (let start = 0; start < EVENTS; start += 1_000) {
    hashes.push(...(await admitEvents(client, names('crash', 1_000, start), { shardCount: SHARDS, windowSeconds: WINDOW })));
  }

  const doomed = startService(CONSUMER_MAIN, consumerEnv('doomed'));
  processes.push(doomed);
  await eventually('the first consumer is confirming', async () => {
    const info = await workersGroupInfo(client, eventsStreamKey(0));
    return Number(info['entries-read']) > 500;
  });
  await doomed.stop('SIGKILL');

  // Whatever the kill left, make sure a crash right after a read is covered: deliver entries to the
  // dead consumer's name, exactly as a read it did not live to acknowledge would have.
  for (const stream of workers.streams) await workers.read(client, 'doomed-gone', [[stream, NEW_ENTRIES]], 50);
  expect((await groupTotals()).pending).toBeGreaterThan(0);

  const rescuer = startService(CONSUMER_MAIN, consumerEnv('rescuer'));
  processes.push(rescuer);
  await eventually(
    'every accepted event confirmed and acknowledged',
    async () => {
      const { pending, lag } = await groupTotals();
      return pending === 0 && lag === 0;
    },
    60_000,
  );
  await rescuer.waitForOutput(/reclaimed stale entries/);

  const states = await Promise.all(hashes.map((hash) => seenState(client, hash, { shardCount: SHARDS, windowSeconds: WINDOW })));
  expect(states.filter((state) => state !== 'processed')).toEqual([]);
  expect(await rescuer.stop('SIGTERM')).toBe(0);
}, 120_000);
