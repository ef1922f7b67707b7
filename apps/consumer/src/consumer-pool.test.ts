import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, encodeStreamEntry, eventsStreamKey, readEventEntries } from '@ddup/store';
import { type Logger, type RedisConnection, createLogger, createRedisConnection } from '@ddup/runtime';
import { type TestRedis, admitEvents, eventually, names, rememberedEvent, seenState, startTestRedis, testStore, workersGroupInfo } from '@ddup/test-utils';
import { confirmBatch, confirmHandler } from './confirm.ts';
import { ConsumerPool, type ConsumerPoolSettings } from './consumer-pool.ts';
import { StreamConsumer } from './stream-consumer.ts';
import { testPoolSettings } from '../test/pool-settings.ts';

const WINDOW_SECONDS = 7 * 24 * 3600;
const logger = createLogger('test', 'error');
let redis: TestRedis;
let client: Awaited<ReturnType<TestRedis['client']>>;

beforeAll(async () => {
  redis = await startTestRedis();
  client = await redis.client();
});
afterAll(() => redis.cleanup());

function admit(prefix: string, count: number, shardCount = 1): Promise<string[]> {
  return admitEvents(client, names(prefix, count), { shardCount, windowSeconds: WINDOW_SECONDS });
}

const groupInfo = (stream: string) => workersGroupInfo(client, stream);

/** The workers' group on shard 0's stream. */
const workers = new StreamGroup(CONSUMER_GROUP, [eventsStreamKey(0)]);

/** The index state of `hash`, as a service with `shardCount` shards and this file's window reads it. */
const stateOf = (hash: string, shardCount = 1) => seenState(client, hash, { shardCount, windowSeconds: WINDOW_SECONDS });

function settings(overrides: Partial<ConsumerPoolSettings> = {}): ConsumerPoolSettings {
  return testPoolSettings(redis.url, { windowSeconds: WINDOW_SECONDS, ...overrides });
}

describe('ConsumerPool', () => {
  let pool: ConsumerPool | undefined;
  afterEach(async () => {
    await pool?.close();
    await client.flushAll();
  });

  it('confirms every admitted event: lag and pending reach 0, the index holds them processed for the window', async () => {
    const hashes = await admit('pool', 500);
    pool = ConsumerPool.start(settings(), logger);
    await eventually('lag 0 and nothing pending', async () => {
      const info = await groupInfo(eventsStreamKey(0));
      return info.lag === 0 && info.pending === 0 && info['entries-read'] === 500;
    });
    expect(pool.confirmed).toBe(500);
    const states = await Promise.all(hashes.map((hash) => stateOf(hash)));
    expect(new Set(states)).toEqual(new Set(['processed']));
    const remembered = await rememberedEvent(client, hashes[0] as string, { windowSeconds: WINDOW_SECONDS });
    // Expires at first acceptance's second + 1 s + window: at most a second beyond the window from now.
    const ttlMs = (remembered?.expiresMs ?? 0) - Date.now();
    expect(ttlMs).toBeGreaterThan((WINDOW_SECONDS - 30) * 1000);
    expect(ttlMs).toBeLessThanOrEqual((WINDOW_SECONDS + 1) * 1000);
  });

  it('reads every shard stream', async () => {
    const hashes = await admit('shards', 200, 4);
    pool = ConsumerPool.start(settings({ shards: 4 }), logger);
    await eventually('all shards drained', async () => {
      const infos = await Promise.all([0, 1, 2, 3].map((shard) => groupInfo(eventsStreamKey(shard))));
      return infos.every((info) => info.lag === 0 && info.pending === 0);
    });
    for (const hash of hashes) expect(await stateOf(hash, 4)).toBe('processed');
  });

  it('lingers after a partial batch, so a steady trickle is read in few calls, not one per event', async () => {
    const lingerMs = 100;
    const blockMs = 200;
    const consumers = 2;
    pool = ConsumerPool.start(settings({ lingerMs: lingerMs, blockMs: blockMs, concurrency: consumers }), logger);
    await eventually('group created', async () => (await client.exists(eventsStreamKey(0))) === 1);
    await client.sendCommand(['CONFIG', 'RESETSTAT']);
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      await admit(`trickle-${i}-`, 2);
      await sleep(1);
    }
    await eventually('trickle confirmed', async () => {
      const info = await groupInfo(eventsStreamKey(0));
      return info.lag === 0 && info.pending === 0 && info['entries-read'] === 400;
    });
    const elapsedMs = performance.now() - started;
    const stats = await client.sendCommand<string>(['INFO', 'commandstats']);
    const reads = Number(/cmdstat_xreadgroup:calls=(\d+)/.exec(stats)?.[1]);
    // Each consumer reads once per linger, once per empty BLOCK, plus a few at the edges; without
    // lingering, every one of the 200 admissions would wake a consumer for a read of its own.
    const bound = consumers * (elapsedMs / lingerMs + elapsedMs / blockMs + 5);
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(bound);
    expect(pool.confirmed).toBe(400);
  });

  it('gets a shard going again when its stream was deleted and its group with it', async () => {
    pool = ConsumerPool.start(settings({ shards: 2 }), logger);
    await admit('before', 40, 2);
    await eventually('both shards drained', async () => {
      const infos = await Promise.all([0, 1].map((shard) => groupInfo(eventsStreamKey(shard))));
      return infos.every((info) => Number(info['entries-read']) > 0 && info.lag === 0 && info.pending === 0);
    });
    await client.del(eventsStreamKey(1));
    const hashes = await admit('after', 40, 2);
    await eventually('the recreated stream has its group back and is drained', async () => {
      const info = await groupInfo(eventsStreamKey(1));
      return info.lag === 0 && info.pending === 0;
    });
    for (const hash of hashes) expect(await stateOf(hash, 2)).toBe('processed');
  });

  it('close() is idempotent, drains, and leaves no idle consumers in the group', async () => {
    await admit('close', 100);
    pool = ConsumerPool.start(settings(), logger);
    await eventually('drained', async () => (await groupInfo(eventsStreamKey(0))).lag === 0);
    const first = pool.close();
    const second = pool.close();
    expect(second).toBe(first);
    await first;
    const consumers = await workers.consumers(client, eventsStreamKey(0));
    expect(consumers).toEqual([]);
    expect((await groupInfo(eventsStreamKey(0))).pending).toBe(0);
  });
});

/** A StreamConsumer on `connection` reading shard 0's stream, with short test timings. */
function streamConsumer(connection: RedisConnection, name: string, batchSize: number, log: Logger = logger): StreamConsumer {
  return new StreamConsumer({
    redis: connection,
    name,
    group: workers,
    batchSize,
    blockMs: 100,
    idlePollMs: 20,
    lingerMs: 10,
    commandTimeoutMs: 2_000,
    handler: confirmHandler({ store: testStore({ windowSeconds: WINDOW_SECONDS }), windowMs: WINDOW_SECONDS * 1000 }),
    reclaim: { minIdleMs: 60_000, intervalMs: 60_000, maxDeliveries: 5, count: 100 },
    retention: { retentionMs: 86_400_000, intervalMs: 60_000 },
    logger: log,
  });
}

describe('StreamConsumer', () => {
  afterEach(() => client.flushAll());

  it('confirms entries left in its own pending list by an earlier read whose reply was lost', async () => {
    const stream = eventsStreamKey(0);
    await admit('backlog', 30);
    await workers.ensure(client);
    // A read that "crashed": the entries are now pending for this consumer name.
    await workers.read(client, 'worker-x', [[stream, NEW_ENTRIES]], 30);
    expect((await groupInfo(stream)).pending).toBe(30);

    const connection = createRedisConnection({ target: { kind: 'single', url: redis.url }, name: 'test', commandTimeoutMs: 2_000, logger });
    await connection.connect();
    const consumer = streamConsumer(connection, 'worker-x', 7);
    consumer.start();
    await eventually('backlog confirmed', async () => (await groupInfo(stream)).pending === 0);
    await consumer.close();
    await connection.close();
    expect(consumer.confirmed).toBe(30);
  });
});

describe('StreamConsumer without the right to create its group', () => {
  afterEach(async () => {
    await client.sendCommand(['ACL', 'DELUSER', 'no-xgroup']);
    await client.flushAll();
  });

  it('backs off and says why, instead of spinning on NOGROUP', async () => {
    await admit('no-group', 3);
    await client.sendCommand(['ACL', 'SETUSER', 'no-xgroup', 'on', '>secret', '~*', '&*', '+@all', '-xgroup']);
    const warnings: string[] = [];
    const quiet = createLogger('test', 'error');
    const capturing = { ...quiet, warn: (message: string, fields?: Record<string, unknown>) => void warnings.push(`${message} ${String(fields?.error)}`) };
    const url = new URL(redis.url);
    url.username = 'no-xgroup';
    url.password = 'secret';
    const connection = createRedisConnection({ target: { kind: 'single', url: url.href }, name: 'test', commandTimeoutMs: 2_000, logger: quiet });
    await connection.connect();
    const consumer = streamConsumer(connection, 'worker-no-xgroup', 10, capturing);
    await client.sendCommand(['CONFIG', 'RESETSTAT']);
    consumer.start();
    await sleep(1_000);
    await consumer.close();
    await connection.close();
    const stats = await client.sendCommand<string>(['INFO', 'commandstats']);
    const reads = Number(/cmdstat_xreadgroup:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    // Backoff starts at a fraction of a second and grows: a handful of reads, not thousands.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(20);
    expect(warnings.some((warning) => warning.includes('NOPERM'))).toBe(true);
  });
});

describe('confirmBatch', () => {
  afterEach(() => client.flushAll());

  it('is idempotent: confirming the same entry twice leaves the same state and expiry', async () => {
    const [hash] = await admit('twice', 1);
    const stream = eventsStreamKey(0);
    await workers.ensure(client);
    const entries = await readEventEntries(client, stream);
    const batch = { stream, entries };
    const settingsOf = { store: testStore({ windowSeconds: WINDOW_SECONDS }), windowMs: WINDOW_SECONDS * 1000 };
    await confirmBatch(client, batch, settingsOf);
    const expiry = (await rememberedEvent(client, hash as string, { windowSeconds: WINDOW_SECONDS }))?.expiresMs;
    await confirmBatch(client, batch, settingsOf);
    expect((await rememberedEvent(client, hash as string, { windowSeconds: WINDOW_SECONDS }))?.expiresMs).toBe(expiry);
    expect(await stateOf(hash as string)).toBe('processed');
    // The window counts from first acceptance: the entry's second + 1 s + window.
    const entrySecond = Math.floor(Number(entries[0]?.id.split('-')[0]) / 1000);
    expect(expiry).toBe((entrySecond + 1) * 1000 + WINDOW_SECONDS * 1000);
  });

  it('never shortens the window of a newer admission when an old entry is redelivered late', async () => {
    const stream = eventsStreamKey(0);
    const hash = 'ab'.repeat(32);
    const store = testStore({ windowSeconds: WINDOW_SECONDS });
    await workers.ensure(client);
    // An entry accepted 8 days ago; the same event was admitted again today (a fresh record).
    const oldId = `${Date.now() - 8 * 24 * 3600 * 1000}-0`;
    await client.sendCommand(['XADD', stream, oldId, ...encodeStreamEntry({ hash, event: '{}' })]);
    expect((await store.admit(client, { hash, canonical: '{}' })).outcome).toBe('accepted');
    const result = await confirmBatch(
      client,
      { stream, entries: [{ id: oldId, present: true, hash, event: '{}', tenant: undefined }] },
      {
        store,
        windowMs: WINDOW_SECONDS * 1000,
      },
    );
    expect(result.handled).toBe(1);
    expect(await stateOf(hash)).toBe('pending');
    const remembered = await rememberedEvent(client, hash, { windowSeconds: WINDOW_SECONDS });
    expect((remembered?.expiresMs ?? 0) - Date.now()).toBeGreaterThan((WINDOW_SECONDS - 30) * 1000);
  });

  it('leaves an entry without a valid hash pending instead of acknowledging it', async () => {
    const stream = eventsStreamKey(0);
    await workers.ensure(client);
    const id = await client.sendCommand<string>(['XADD', stream, '*', ...encodeStreamEntry({ event: '{}' })]);
    await workers.read(client, 'c', [[stream, NEW_ENTRIES]]);
    const result = await confirmBatch(
      client,
      { stream, entries: [{ id, present: true, hash: undefined, event: '{}', tenant: undefined }] },
      { store: testStore({ windowSeconds: 1 }), windowMs: 1000 },
    );
    expect(result).toEqual({ handled: 0, unhandled: [id] });
    expect((await groupInfo(stream)).pending).toBe(1);
  });
});
