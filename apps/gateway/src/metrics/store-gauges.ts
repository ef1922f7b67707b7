import { Gauge, type Registry } from 'prom-client';
import type { ShardInspection } from '@ddup/store';
import type { StoreSnapshot, StoreSnapshots } from './store-snapshot.ts';

type ShardFigure = (shard: ShardInspection) => number | null;

const SHARD_GAUGES: readonly [name: string, help: string, figure: ShardFigure][] = [
  ['ddup_stream_length', 'Entries in the shard’s events stream (acknowledged ones stay until trimmed)', (s) => s.length],
  ['ddup_stream_pending', 'Entries delivered to a consumer and not confirmed yet', (s) => s.pending],
  ['ddup_stream_lag', 'Entries not delivered to any consumer yet', (s) => s.lag],
  ['ddup_oldest_pending_seconds', 'Age of the oldest unconfirmed delivered entry (0 when none)', (s) => (s.oldestPendingAgeMs ?? 0) / 1000],
  ['ddup_dead_letters', 'Entries in the shard’s dead-letter stream', (s) => s.deadLetters],
  ['ddup_consumers', 'Consumers of the ddup-workers group on the shard’s stream', (s) => s.consumers.length],
];

/**
 * The gauges read from Redis at scrape time, all from one StoreSnapshot (store-snapshot.ts), so a
 * scrape reads Redis once and no figure is counted twice. When Redis does not answer, they are
 * left out of the scrape and `ddup_redis_up` is 0.
 */
export function registerStoreGauges(registry: Registry, snapshots: StoreSnapshots): void {
  const registers = [registry];
  // Every gateway process reads the same Redis: added up across processes (metrics-view.ts) these
  // are taken from one process, not summed.
  const aggregator = 'first';
  let readable = 0;
  const snapshot = async (): Promise<StoreSnapshot | undefined> => {
    try {
      const taken = await snapshots.latest();
      readable = 1;
      return taken;
    } catch {
      readable = 0;
      return undefined;
    }
  };
  new Gauge({
    name: 'ddup_redis_up',
    help: 'Whether this scrape could read Redis (1) or not (0)',
    registers,
    aggregator,
    async collect() {
      await snapshot();
      this.set(readable);
    },
  });
  for (const [name, help, figure] of SHARD_GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['shard'],
      registers,
      aggregator,
      async collect() {
        this.reset();
        for (const shard of (await snapshot())?.shards ?? []) {
          const value = figure(shard);
          if (value !== null) this.set({ shard: String(shard.shard) }, value);
        }
      },
    });
  }
  new Gauge({
    name: 'ddup_redis_used_memory_bytes',
    help: 'Redis used_memory of each master (INFO memory)',
    labelNames: ['master'],
    registers,
    aggregator,
    async collect() {
      this.reset();
      const masters = (await snapshot())?.usedMemoryBytes ?? [];
      for (const [master, bytes] of masters.entries()) this.set({ master: String(master) }, bytes);
    },
  });
  new Gauge({
    name: 'ddup_remembered_events',
    help: 'Events the dedup index remembers within the window (estimated from a sample of its buckets)',
    registers,
    aggregator,
    async collect() {
      this.reset();
      const taken = await snapshot();
      if (taken !== undefined) this.set(taken.rememberedEvents);
    },
  });
}
