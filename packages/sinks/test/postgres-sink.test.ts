import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { type TestPostgres, startTestPostgres } from '@ddup/test-utils';
import { type PostgresSinkConfig, createSink, parseSinksFile } from '../src/index.ts';
import { never, sampleSinkEvents } from './sample-events.ts';

function postgresConfig(url: string, overrides: Record<string, unknown> = {}): PostgresSinkConfig {
  const [sink] = parseSinksFile(JSON.stringify({ sinks: [{ id: 'warehouse', type: 'postgres', url, timeout_ms: 2000, ...overrides }] })).sinks;
  return sink as PostgresSinkConfig;
}

let server: TestPostgres;
let sql: ReturnType<typeof postgres>;
beforeAll(async () => {
  server = await startTestPostgres();
  sql = postgres(server.url, { max: 1, onnotice: () => undefined });
});
afterAll(async () => {
  await sql?.end();
  await server?.stop();
});

describe('postgres sink', () => {
  it('creates its table and inserts each event once however often it is delivered', async () => {
    const sink = createSink(postgresConfig(server.url));
    const events = sampleSinkEvents(50);
    expect(await sink.deliver(events, never)).toEqual(events.map(() => ({ kind: 'delivered' })));
    const again = [...events.slice(10, 30), ...events.slice(0, 10), ...events.slice(0, 10)];
    expect(await sink.deliver(again, never)).toEqual(again.map(() => ({ kind: 'delivered' })));
    await sink.close();

    const [count] = await sql`select count(*)::int as rows, count(distinct hash)::int as hashes from ddup_events`;
    expect(count).toEqual({ rows: 50, hashes: 50 });
    const [row] = await sql`select tenant, event, first_seen_at, delivered_at from ddup_events where hash = ${events[3]?.hash ?? ''}`;
    expect(row?.tenant).toBe('acme');
    expect(row?.event).toEqual(JSON.parse(events[3]?.eventJson ?? ''));
    expect(row?.first_seen_at).toEqual(new Date(events[3]?.firstSeenMs ?? 0));
    expect(row?.delivered_at).toBeInstanceOf(Date);
  });

  it('uses the table SINKS_FILE names, schema-qualified too', async () => {
    await sql`create schema analytics`;
    const sink = createSink(postgresConfig(server.url, { table: 'analytics.accepted' }));
    await sink.deliver(sampleSinkEvents(3, null), never);
    await sink.close();
    const rows = await sql`select tenant from analytics.accepted`;
    expect(rows.map((row) => row.tenant)).toEqual([null, null, null]);
  });

  it('rejects only the event PostgreSQL refuses for its data; the rest of the batch is delivered', async () => {
    const sink = createSink(postgresConfig(server.url, { table: 'mixed' }));
    const [good, other] = sampleSinkEvents(2);
    const bad = { hash: 'f'.repeat(64), tenant: 'acme', eventJson: '{"not json', firstSeenMs: 0 };
    const outcomes = await sink.deliver(
      [good, bad, other].filter((event) => event !== undefined),
      never,
    );
    await sink.close();
    expect(outcomes).toEqual([{ kind: 'delivered' }, { kind: 'rejected', reason: expect.stringMatching(/json/i) }, { kind: 'delivered' }]);
    const [count] = await sql`select count(*)::int as rows from mixed`;
    expect(count?.rows).toBe(2);
  });

  it('a statement that cannot finish within timeout_ms (the table locked) is a retry, delivered once the lock is gone', async () => {
    const sink = createSink(postgresConfig(server.url, { table: 'locked', timeout_ms: 300 }));
    const events = sampleSinkEvents(2);
    expect(await sink.deliver(events.slice(0, 1), never)).toEqual([{ kind: 'delivered' }]);
    const locker = await sql.reserve();
    await locker`begin`;
    await locker`lock table locked in access exclusive mode`;
    expect(await sink.deliver(events, never)).toEqual([
      { kind: 'retry', reason: expect.stringMatching(/statement timeout/) },
      { kind: 'retry', reason: expect.stringMatching(/statement timeout/) },
    ]);
    await locker`rollback`;
    locker.release();
    expect(await sink.deliver(events, never)).toEqual([{ kind: 'delivered' }, { kind: 'delivered' }]);
    await sink.close();
    const [count] = await sql`select count(*)::int as rows from locked`;
    expect(count?.rows).toBe(2);
  });

  it('a server that refuses connections is a retry for every event', async () => {
    const sink = createSink(postgresConfig(`postgres://ddup@127.0.0.1:${await freePort()}/postgres`));
    expect(await sink.deliver(sampleSinkEvents(2), never)).toEqual([
      { kind: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) },
      { kind: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) },
    ]);
    await sink.close();
  });
});
