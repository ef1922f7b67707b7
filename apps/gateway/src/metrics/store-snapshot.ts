import { readMemoryStates } from '@ddup/redis-checks';
import type { RedisCommands } from '@ddup/runtime';
import { singleFlight } from './single-flight.ts';
import {
  type IndexLayout,
  type RememberedSpace,
  type ShardInspection,
  type SinkBacklog,
  estimateRememberedEvents,
  inspectShards,
  inspectSinks,
  sinksWithGroups,
} from '@ddup/store';

/** What Redis holds for ddup at one moment: the shards, memory, and about how many events are remembered. */
export interface StoreSnapshot {
  readonly takenAtMs: number;
  readonly shards: readonly ShardInspection[];
  /** `used_memory` of each master (one on a single node). */
  readonly usedMemoryBytes: readonly number[];
  /** Estimated from a sample of index buckets (see estimateRememberedEvents). */
  readonly rememberedEvents: number;
  /** Each sink a consumer has started (SINKS_FILE): its lag, pending entries and dead letters; none without sinks. */
  readonly sinks: readonly SinkBacklog[];
}

/**
 * How long a snapshot is reused by default: one scrape's gauges, overlapping scrapes and every
 * dashboard share it, so Redis sees at most one read a second however many ask (a read of 4
 * shards costs up to ~11,000 bucket reads inside scripts, ~15 ms, when the index is nearly empty).
 */
export const SNAPSHOT_REUSE_MS = 1_000;

export interface StoreSnapshotSettings {
  readonly layout: IndexLayout;
  /** The dedup spaces in force (the tenants, which a reload may change, or the default space). */
  readonly spaces: () => readonly RememberedSpace[];
  /** A snapshot read less than this long ago is reused: every gauge of one scrape, and every dashboard viewer, read the same one. */
  readonly reuseMs?: number;
}

/**
 * Reads the store's state for /metrics and the dashboard, one read at a time however many ask:
 * while a read is in flight every asker shares it (single-flight, whatever its age), and a read
 * that finished less than `reuseMs` ago is reused. So overlapping scrapes and any number of open
 * dashboards cost Redis one read at a time, and a read costs a fixed number of calls whatever the
 * number of tenants (see estimateRememberedEvents).
 */
export class StoreSnapshots {
  readonly #shared: () => Promise<StoreSnapshot>;

  constructor(
    private readonly redis: RedisCommands,
    private readonly settings: StoreSnapshotSettings,
  ) {
    this.#shared = singleFlight(() => this.#read(Date.now()), settings.reuseMs ?? SNAPSHOT_REUSE_MS);
  }

  latest(): Promise<StoreSnapshot> {
    return this.#shared();
  }

  async #read(now: number): Promise<StoreSnapshot> {
    const { layout } = this.settings;
    const [shards, memory, rememberedEvents, sinks] = await Promise.all([
      inspectShards(this.redis, layout.shardCount, now),
      readMemoryStates(this.redis),
      estimateRememberedEvents(this.redis, layout, this.settings.spaces()),
      sinksWithGroups(this.redis, layout.shardCount).then((ids) => inspectSinks(this.redis, layout.shardCount, ids)),
    ]);
    return { takenAtMs: now, shards, usedMemoryBytes: memory.map((state) => state.usedBytes), rememberedEvents, sinks };
  }
}
