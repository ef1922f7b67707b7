import postgres from 'postgres';
import { describeError } from '../limit-concurrency.ts';
import type { DeliveryOutcome, Sink, SinkEvent } from '../sink.ts';
import type { PostgresSinkConfig } from '../sinks-file.ts';

type Sql = ReturnType<typeof postgres>;

/** SQLSTATE class 22: the data itself is wrong (e.g. an event that is not valid JSON): retrying will not help. */
const isDataError = (error: unknown) => typeof (error as { code?: unknown }).code === 'string' && /^22/.test((error as { code: string }).code);
const UNDEFINED_TABLE = '42P01';

async function createTable(sql: Sql, table: string): Promise<void> {
  await sql`
    create table if not exists ${sql(table)} (
      hash text primary key,
      tenant text,
      event jsonb not null,
      first_seen_at timestamptz not null,
      delivered_at timestamptz not null default now()
    )`;
}

/** One INSERT for the whole batch; a hash already in the table is skipped, which makes a repeat harmless. */
async function insertBatch(sql: Sql, table: string, events: readonly SinkEvent[], signal: AbortSignal): Promise<void> {
  const query = sql`
    insert into ${sql(table)} (hash, tenant, event, first_seen_at)
    select h, t, e::jsonb, f::timestamptz
    from unnest(
      ${events.map((event) => event.hash)}::text[],
      ${events.map((event) => event.tenant ?? null)}::text[],
      ${events.map((event) => event.eventJson)}::text[],
      ${events.map((event) => new Date(event.firstSeenMs).toISOString())}::text[]
    ) as rows(h, t, e, f)
    on conflict (hash) do nothing`;
  const cancel = () => void query.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    await query;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/**
 * Inserts events into the sink's table (created when missing), `INSERT … ON CONFLICT (hash) DO
 * NOTHING`, one statement per batch: the row count is the number of distinct events however often
 * one is delivered. A batch refused for its data is retried event by event, so only the bad event
 * is rejected.
 */
export function createPostgresSink(config: PostgresSinkConfig): Sink {
  const sql = postgres(config.url, {
    max: config.concurrency,
    connect_timeout: Math.max(1, Math.ceil(config.timeoutMs / 1000)),
    idle_timeout: 60,
    onnotice: () => undefined,
    connection: { statement_timeout: config.timeoutMs, application_name: `ddup-sink-${config.id}` },
  });
  let tableReady: Promise<void> | undefined;
  const ensureTable = () => {
    tableReady ??= createTable(sql, config.table);
    tableReady.catch(() => (tableReady = undefined));
    return tableReady;
  };

  const attempt = async (events: readonly SinkEvent[], signal: AbortSignal): Promise<DeliveryOutcome[]> => {
    try {
      await ensureTable();
      await insertBatch(sql, config.table, events, signal);
      return events.map(() => ({ kind: 'delivered' }));
    } catch (error) {
      const reason = describeError(error);
      if (isDataError(error)) {
        if (events.length === 1) return [{ kind: 'rejected', reason }];
        const outcomes: DeliveryOutcome[] = [];
        for (const event of events) outcomes.push(...(await attempt([event], signal)));
        return outcomes;
      }
      // Someone dropped the table: make it again on the next attempt.
      if ((error as { code?: unknown }).code === UNDEFINED_TABLE) tableReady = undefined;
      return events.map(() => ({ kind: 'retry', reason }));
    }
  };

  return {
    id: config.id,
    type: 'postgres',
    deliver: (events, signal) => (events.length === 0 ? Promise.resolve([]) : attempt(events, signal)),
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
