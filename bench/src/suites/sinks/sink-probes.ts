import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import postgres from 'postgres';
import type { BenchReceiver } from './bench-receiver.ts';

export type SinkType = 'webhook' | 'nats' | 'postgres';

/** How the benchmark reads what one sink holds, from the sink's side (not from ddup's metrics). */
export interface SinkProbe {
  readonly type: SinkType;
  /** The sink's entry in SINKS_FILE. */
  readonly config: Record<string, unknown>;
  /** Distinct events the sink holds: receiver ids, stream messages, table rows. */
  delivered(): Promise<number>;
  /** Deliveries beyond the first of an event that reached the destination (the webhook receiver only sees them). */
  duplicates(): Promise<number | undefined>;
  /** Milliseconds from first_seen_at (the 202) to the sink having it, for events accepted at or after `sinceMs` (a sample for NATS). */
  latencies(sinceMs: number): Promise<number[]>;
  close(): Promise<void>;
}

const LATENCY_SAMPLE = 2000;

/** A sink's `concurrency` (webhook and postgres), or its default when undefined. */
const concurrencyOf = (concurrency: number | undefined) => (concurrency === undefined ? {} : { concurrency });

export function webhookProbe(id: string, receiver: BenchReceiver, secret: string, concurrency?: number): SinkProbe {
  // The receiver serves every run: only what came after this probe was made is this run's.
  const from = receiver.arrivals.length;
  const mine = () => receiver.arrivals.slice(from);
  return {
    type: 'webhook',
    config: { id, type: 'webhook', url: receiver.url, secret, start: 'earliest', ...concurrencyOf(concurrency) },
    delivered: async () => new Set(mine().map((arrival) => arrival.id)).size,
    duplicates: async () => {
      const arrivals = mine();
      return arrivals.length - new Set(arrivals.map((arrival) => arrival.id)).size;
    },
    latencies: async (sinceMs) => mine().flatMap((arrival) => (arrival.firstSeenMs >= sinceMs ? [arrival.arrivedMs - arrival.firstSeenMs] : [])),
    close: async () => undefined,
  };
}

export async function natsProbe(id: string, url: string): Promise<SinkProbe> {
  const connection: NatsConnection = await connect({ servers: url });
  const manager: JetStreamManager = await jetstreamManager(connection);
  // ddup creates DDUP_<ID> capturing the subject on its first delivery (docs/sinks.md).
  const stream = `DDUP_${id.toUpperCase().replaceAll('-', '_')}`;
  const lastSeq = async () => {
    try {
      return (await manager.streams.info(stream)).state.last_seq;
    } catch {
      return 0;
    }
  };
  return {
    type: 'nats',
    config: { id, type: 'nats', servers: url, subject: `bench.${id}`, start: 'earliest' },
    delivered: async () => {
      try {
        return (await manager.streams.info(stream)).state.messages;
      } catch {
        return 0;
      }
    },
    duplicates: async () => undefined,
    async latencies(sinceMs) {
      // Messages are stored in delivery order, not acceptance order: sample the whole stream evenly.
      const last = await lastSeq();
      const step = Math.max(1, last / LATENCY_SAMPLE);
      const values: number[] = [];
      for (let seq = 1; seq <= last; seq += step) {
        const message = await manager.streams.getMessage(stream, { seq: Math.floor(seq) });
        const firstSeen = Date.parse(message?.header?.get('Ddup-First-Seen-At') ?? '');
        if (message && firstSeen >= sinceMs) values.push(message.time.getTime() - firstSeen);
      }
      return values;
    },
    close: () => connection.close(),
  };
}

export function postgresProbe(id: string, url: string, concurrency?: number): SinkProbe {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const table = `bench_${id.replaceAll('-', '_')}`;
  return {
    type: 'postgres',
    config: { id, type: 'postgres', url, table, start: 'earliest', ...concurrencyOf(concurrency) },
    async delivered() {
      const [row] = await sql<{ count: string }[]>`select count(*) as count from pg_class where relname = ${table}`;
      if (Number(row?.count ?? 0) === 0) return 0;
      const [rows] = await sql<{ count: string }[]>`select count(*) as count from ${sql(table)}`;
      return Number(rows?.count ?? 0);
    },
    duplicates: async () => undefined,
    async latencies(sinceMs) {
      // delivered_at is now() of the INSERT's transaction: its start, a little before the commit.
      const rows = await sql<{ ms: number }[]>`
        select (extract(epoch from delivered_at - first_seen_at) * 1000)::float8 as ms
        from ${sql(table)} where first_seen_at >= to_timestamp(${sinceMs / 1000})`;
      return rows.map((row) => row.ms);
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
