import { type RedisCommands, readMemoryStates } from '@ddup/runtime';
import { type IndexLayout, type RememberedSpace, type ShardInspection, estimateRememberedEvents, inspectShards } from '@ddup/store';

/** What Redis holds for ddup at one moment: the shards, memory, and about how many events are remembered. */
export interface StoreSnapshot {
  readonly takenAtMs: number;
  readonly shards: readonly ShardInspection[];
  /** `used_memory` of each master (one on a single node). */
  readonly usedMemoryBytes: readonly number[];
  /** Estimated from a sample of index buckets (see estimateRememberedEvents). */
  readonly rememberedEvents: number;
}

/** How long a snapshot is reused by default: one scrape's gauges, and dashboards refreshing together, share it. */
export const SNAPSHOT_REUSE_MS = 250;

export interface StoreSnapshotSettings {
  readonly layout: IndexLayout;
  /** The dedup spaces in force (the tenants, which a reload may change, or the default space). */
  readonly spaces: () => readonly RememberedSpace[];
  /** A snapshot younger than this is reused: every gauge of one scrape, and every dashboard viewer, read the same one. */
  readonly reuseMs?: number;
}

/**
 * Reads the store's state for /metrics and the dashboard, at most once per `reuseMs` however many
 * ask (concurrent askers share one read), so a scrape or ten open dashboards cost Redis one look.
 */
export class StoreSnapshots {
  #latest: Promise<StoreSnapshot> | undefined;
  #takenAt = 0;

  constructor(
    private readonly redis: RedisCommands,
    private readonly settings: StoreSnapshotSettings,
  ) {}

  latest(): Promise<StoreSnapshot> {
    const now = Date.now();
    if (this.#latest === undefined || now - this.#takenAt >= (this.settings.reuseMs ?? SNAPSHOT_REUSE_MS)) {
      this.#takenAt = now;
      const reading = this.#read(now);
      // A failed read is not reused: the next asker tries again.
      reading.catch(() => {
        if (this.#latest === reading) this.#latest = undefined;
      });
      this.#latest = reading;
    }
    return this.#latest;
  }

  async #read(now: number): Promise<StoreSnapshot> {
    const { layout } = this.settings;
    const [shards, memory, rememberedEvents] = await Promise.all([
      inspectShards(this.redis, layout.shardCount, now),
      readMemoryStates(this.redis),
      estimateRememberedEvents(this.redis, layout, this.settings.spaces()),
    ]);
    return { takenAtMs: now, shards, usedMemoryBytes: memory.map((state) => state.usedBytes), rememberedEvents };
  }
}
