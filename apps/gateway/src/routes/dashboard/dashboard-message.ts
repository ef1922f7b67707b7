import type { ShardInspection } from '@ddup/store';
import type { LiveFigures } from '../../metrics/gateway-metrics.ts';
import type { StoreSnapshot } from '../../metrics/store-snapshot.ts';
import type { DashboardState } from './dashboard-feed.ts';
import type { DashboardSettings } from './dashboard-settings.ts';
import type { RatePoint } from './rate-history.ts';

/** Quantiles in milliseconds, as the page shows them. */
function latencyMs(latency: LiveFigures['latency']) {
  return latency === null ? null : { p50: latency.p50 * 1000, p99: latency.p99 * 1000 };
}

function ratePointBody(point: RatePoint) {
  return { at_ms: point.atMs, per_second: point.perSecond, duplicate_ratio: point.duplicateRatio, latency_ms: latencyMs(point.latency) };
}

function shardBody(shard: ShardInspection) {
  return {
    shard: shard.shard,
    stream: shard.stream,
    group: shard.group,
    dead_letter_stream: shard.deadLetterStream,
    length: shard.length,
    entries_added: shard.entriesAdded,
    pending: shard.pending,
    lag: shard.lag,
    oldest_pending_age_ms: shard.oldestPendingAgeMs,
    // Counts only: what a dead letter holds (its event) is for the admin routes, behind the token.
    dead_letters: shard.deadLetters,
    consumers: shard.consumers.map((consumer) => ({ name: consumer.name, pending: consumer.pending, idle_ms: consumer.idleMs })),
  };
}

/**
 * The group's consumers as workers: each process's consumer reads every shard, so it is listed
 * once, with the shards it is known on, its pending entries on all of them, and its idle time on
 * the shard it touched last.
 */
function consumersOf(shards: readonly ShardInspection[]) {
  const byName = new Map<string, { name: string; shards: number[]; pending: number; idle_ms: number }>();
  for (const shard of shards) {
    for (const consumer of shard.consumers) {
      const entry = byName.get(consumer.name) ?? { name: consumer.name, shards: [], pending: 0, idle_ms: consumer.idleMs };
      entry.shards.push(shard.shard);
      entry.pending += consumer.pending;
      entry.idle_ms = Math.min(entry.idle_ms, consumer.idleMs);
      byName.set(consumer.name, entry);
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function storeBody(store: StoreSnapshot) {
  const { shards } = store;
  const lags = shards.map((shard) => shard.lag);
  const usedMemory = sum(store.usedMemoryBytes);
  const consumers = consumersOf(shards);
  const ages = shards.flatMap((shard) => (shard.oldestPendingAgeMs === null ? [] : [shard.oldestPendingAgeMs]));
  return {
    taken_at: new Date(store.takenAtMs).toISOString(),
    shards: shards.map(shardBody),
    consumers,
    // The sinks' backlogs as Redis holds them; delivered/failed counts and breakers are the consumer's metrics.
    sinks: store.sinks.map((sink) => ({ id: sink.sink, lag: sink.lag, pending: sink.pending, dead_letters: sink.deadLetters })),
    totals: {
      length: sum(shards.map((shard) => shard.length)),
      pending: sum(shards.map((shard) => shard.pending)),
      // Unknown on one shard (after XDEL or XSETID) is unknown in total.
      lag: lags.some((lag) => lag === null) ? null : sum(lags.map((lag) => lag ?? 0)),
      oldest_pending_age_ms: ages.length === 0 ? null : Math.max(...ages),
      dead_letters: sum(shards.map((shard) => shard.deadLetters)),
      consumers: consumers.length,
    },
    used_memory_bytes: store.usedMemoryBytes,
    used_memory_total_bytes: usedMemory,
    remembered_events: store.rememberedEvents,
    // All of Redis's memory (streams included) over the events it remembers: an upper bound on the index's cost.
    bytes_per_remembered_event: store.rememberedEvents > 0 ? usedMemory / store.rememberedEvents : null,
  };
}

/** The tenants in force, each with its settings and what it had refused (413, 429) since start. */
function tenantsBody(settings: DashboardSettings, figures: LiveFigures) {
  return settings.tenants().map((tenant) => ({
    id: tenant.id,
    window_seconds: tenant.windowSeconds,
    canonical_form: tenant.canonicalForm,
    key_fields: tenant.keyFields ?? null,
    rate_limit_per_second: tenant.rateLimitPerSecond ?? null,
    refresh_on_duplicate: tenant.refreshOnDuplicate,
    rejected: figures.rejectedByTenant[tenant.id] ?? 0,
  }));
}

function settingsBody(settings: DashboardSettings) {
  return {
    window_seconds: settings.windowSeconds,
    stream_shards: settings.streamShards,
    canonical_form: settings.canonicalForm,
    index_capacity: settings.indexCapacity,
    durability: settings.durability,
  };
}

/**
 * One server-sent message of `/dashboard/stream`: the counters since start, the rate points the
 * viewer has not had yet (all of the history in its first message), the store's state (or why it
 * could not be read; both null when this gateway has no store to read), the settings in force,
 * and whether the admin routes (dead-letter list and replay) are on.
 */
export function dashboardMessage(state: DashboardState, points: readonly RatePoint[], settings: DashboardSettings, adminEnabled: boolean) {
  const { events, latency } = state.figures;
  const decided = events.accepted + events.duplicate;
  return {
    time: new Date(state.atMs).toISOString(),
    figures: { events, duplicate_ratio: decided > 0 ? events.duplicate / decided : null, latency_ms: latencyMs(latency) },
    rates: points.map(ratePointBody),
    store: state.store === undefined ? null : storeBody(state.store),
    store_error: state.storeError ?? null,
    settings: settingsBody(settings),
    tenants: tenantsBody(settings, state.figures),
    admin_enabled: adminEnabled,
  };
}

export type DashboardMessage = ReturnType<typeof dashboardMessage>;
