import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConsumerPool, type ConsumerPoolSettings } from '@ddup/consumer';
import { createLogger } from '@ddup/runtime';
import {
  CONSUMER_GROUP,
  DEFAULT_INDEX_CAPACITY,
  NEW_ENTRIES,
  SinkStreams,
  StreamGroup,
  deadLetterStreamKey,
  encodeStreamEntry,
  eventsStreamKey,
  readEventEntries,
  sinkDeadLetterStreamKey,
  sinkReplayStreamKey,
} from '@ddup/store';
import { type TestRedis, eventually, seenState, startService, testStore, useTestRedis } from '@ddup/test-utils';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const HASH = 'ef'.repeat(32);
const workers = StreamGroup.ofEvents(CONSUMER_GROUP, 1);
const WINDOW_SECONDS = 3_600;
const test = useTestRedis();
let client: Awaited<ReturnType<TestRedis['client']>>;
let pool: ConsumerPool;

const poolSettings = (): ConsumerPoolSettings => ({
  redis: { kind: 'single', url: test.redis.url },
  shards: 1,
  indexCapacity: DEFAULT_INDEX_CAPACITY,
  windowSeconds: WINDOW_SECONDS,
  concurrency: 2,
  batchSize: 100,
  blockMs: 100,
  idlePollMs: 20,
  lingerMs: 10,
  consumerName: 'dl',
  commandTimeoutMs: 2_000,
  claimIdleMs: 100,
  claimIntervalMs: 50,
  maxDeliveries: 3,
  retentionSeconds: 3_600,
  trimIntervalMs: 60_000,
});

beforeAll(async () => {
  client = await test.redis.client();
  pool = ConsumerPool.start(poolSettings(), createLogger('test', 'error'));
});
afterAll(async () => {
  await pool.close();
});

it('a poison entry ends in the dead letters, the CLI lists it, and replay puts a fixed entry back to be confirmed', async () => {
  const poisonId = await client.sendCommand<string>(['XADD', eventsStreamKey(0), '*', ...encodeStreamEntry({ hash: 'not-a-hash', event: '{}' })]);
  await eventually('poison dead-lettered', async () => (await client.xLen(deadLetterStreamKey(0))) === 1, 20_000);
  expect((await workers.pendingSummary(client, eventsStreamKey(0))).count).toBe(0);

  const list = startService(CLI, { REDIS_URL: test.redis.url }, ['dead-letters', 'list', '--json']);
  expect(await list.exited).toBe(0);
  const [line] = list
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  expect(JSON.parse(line ?? '{}')).toMatchObject({
    shard: 0,
    source_id: poisonId,
    reason: 'hash field is not a hex SHA-256 after 3 deliveries',
    deliveries: 3,
    hash: 'not-a-hash',
  });

  // An operator fixes the cause (here: a dead letter whose entry is valid) and replays. Only the
  // index can say the replayed entry was confirmed, so the valid dead letter is made through the
  // real path while no consumer runs: an admitted event (pending in the index) whose entry was
  // delivered to a consumer that never confirmed it, then moved to the dead letters.
  await client.sendCommand(['DEL', deadLetterStreamKey(0)]);
  await pool.close();
  const store = testStore({ windowSeconds: WINDOW_SECONDS });
  const admitted = await store.admit(client, { hash: HASH, canonical: '{}' });
  if (admitted.outcome !== 'accepted') throw new Error(`expected ${HASH} to be accepted, got ${admitted.outcome}`);
  await workers.read(client, 'gone', [[eventsStreamKey(0), NEW_ENTRIES]]);
  expect(await store.deadLetter(client, eventsStreamKey(0), admitted.id, 'r', 3)).toBe(true);
  expect(await seenState(client, HASH, { windowSeconds: WINDOW_SECONDS })).toBe('pending');
  pool = ConsumerPool.start(poolSettings(), createLogger('test', 'error'));
  const replay = startService(CLI, { REDIS_URL: test.redis.url }, ['dead-letters', 'replay']);
  expect(await replay.exited).toBe(0);
  expect(replay.output()).toContain('replayed 1 dead letter(s)');
  await eventually('replayed entry confirmed', async () => (await seenState(client, HASH, { windowSeconds: WINDOW_SECONDS })) === 'processed');
  expect(await client.xLen(deadLetterStreamKey(0))).toBe(0);
}, 60_000);

it('--sink lists and replays one sink’s dead letters, to that sink alone; the confirm workers’ are not touched', async () => {
  const sink = new SinkStreams('hooks', 1);
  await sink.ensureGroups(client, 'now');
  const id = await client.sendCommand<string>(['XADD', eventsStreamKey(0), '*', ...encodeStreamEntry({ hash: HASH, event: '{"n":1}' })]);
  await sink.group.read(client, 'deliverer', [[eventsStreamKey(0), NEW_ENTRIES]]);
  expect(await sink.deadLetter(client, eventsStreamKey(0), id, 'webhook answered 400', 8)).toBe(true);

  const list = startService(CLI, { REDIS_URL: test.redis.url }, ['dead-letters', 'list', '--sink', 'hooks', '--json']);
  expect(await list.exited).toBe(0);
  const lines = list
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ shard: 0, source_id: id, reason: 'webhook answered 400', hash: HASH }]);
  const workersList = startService(CLI, { REDIS_URL: test.redis.url }, ['dead-letters', 'list', '--json']);
  expect(await workersList.exited).toBe(0);
  expect(workersList.output()).toContain('0 dead letter(s)');

  const replay = startService(CLI, { REDIS_URL: test.redis.url }, ['dead-letters', 'replay', '--sink', 'hooks']);
  expect(await replay.exited).toBe(0);
  expect(replay.output()).toContain('replayed 1 dead letter(s)');
  expect(await client.xLen(sinkDeadLetterStreamKey(0, 'hooks'))).toBe(0);
  const replayed = await readEventEntries(client, sinkReplayStreamKey(0, 'hooks'));
  expect(replayed.map((entry) => entry.hash)).toEqual([HASH]);

  const bad = startService(CLI, { REDIS_URL: test.redis.url }, ['dead-letters', 'list', '--sink', 'Not A Sink']);
  expect(await bad.exited).toBe(2);
  expect(bad.output()).toContain('--sink must be a sink id');
}, 60_000);
