import {
  type EntryToConfirm,
  type EventEntry,
  type RedisCommandSender,
  type Store,
  type StreamBatch,
  TENANT_ID,
  entryTimeMs,
  shardOfEventsStreamKey,
} from '@ddup/store';
import type { BatchHandler, BatchOutcome } from './batch-handler.ts';
import type { ConsumerMetrics } from './metrics/consumer-metrics.ts';
import { NO_TENANTS, type TenantRules } from './tenant-rules.ts';

export interface ConfirmSettings {
  readonly store: Store;
  readonly windowMs: number;
  /** Where confirmations are counted and the confirm call timed (none: not measured). */
  readonly metrics?: ConsumerMetrics;
  /** The tenants' windows and sliding windows now in force (TENANTS_FILE, reread on SIGHUP); none: no tenants. */
  readonly tenantRules?: () => TenantRules;
}

/** Sends raw commands (a connection, or one bounded by withCommandTimeout). */
export type CommandSender = RedisCommandSender;

const HASH = /^[0-9a-f]{64}$/;

/** Why an entry cannot be confirmed (it would fail on every delivery), or undefined when it can. */
export function whyUnconfirmable(entry: EventEntry, shard: number | undefined, store: Store): string | undefined {
  const hash = entry.hash;
  if (shard === undefined) return 'not an events stream';
  if (hash === undefined) return 'no hash field';
  if (!HASH.test(hash)) return 'hash field is not a hex SHA-256';
  if (store.shardOf(hash) !== shard) return `hash belongs to another shard (STREAM_SHARDS=${store.layout.shardCount})`;
  if (entry.tenant !== undefined && !TENANT_ID.test(entry.tenant)) return 'tenant field is not a tenant id';
  return undefined;
}

/**
 * Marks each event processed in the index and acknowledges the entries, in one script call
 * (`confirm-batch-var.lua`). The window counts from first acceptance, so confirming changes the
 * state only, never the expiry, and confirming the same entry twice changes nothing. An entry whose
 * window has already passed is only acknowledged (a sliding window's too is marked, when its record
 * still stands for that entry): a late redelivery never touches a newer admission of the same event.
 * Entries that cannot be confirmed (no or bad hash, wrong shard) are left pending.
 */
export async function confirmBatch(redis: CommandSender, batch: StreamBatch, settings: ConfirmSettings, now: number = Date.now()): Promise<BatchOutcome> {
  const shard = shardOfEventsStreamKey(batch.stream);
  const toMark: EntryToConfirm[] = [];
  const acked: string[] = [];
  const unhandled: string[] = [];
  const rules = settings.tenantRules?.() ?? NO_TENANTS;
  for (const entry of batch.entries) {
    if (!entry.present) {
      acked.push(entry.id);
      continue;
    }
    const hash = entry.hash;
    if (shard === undefined || !hash || whyUnconfirmable(entry, shard, settings.store)) {
      unhandled.push(entry.id);
      continue;
    }
    const tenant = entry.tenant;
    // A tenant no longer in the file: marking is harmless, so mark (its window is unknown). A sliding
    // window outlives its entry's age: the script tells its own admission from a newer one.
    const sliding = tenant !== undefined && rules.refreshing.has(tenant);
    const windowMs = tenant === undefined ? settings.windowMs : (rules.windowsMs.get(tenant) ?? Number.POSITIVE_INFINITY);
    if (sliding || entryTimeMs(entry.id) + windowMs > now) toMark.push(tenant === undefined ? { id: entry.id, hash } : { id: entry.id, hash, tenant });
    acked.push(entry.id);
  }
  if (acked.length > 0) {
    const confirm = () => settings.store.confirm(redis, batch.stream, toMark, acked, rules.refreshing);
    // XACK's count: an entry another consumer acknowledged meanwhile is not counted twice.
    const acknowledged = await (settings.metrics?.timeConfirm(confirm) ?? confirm());
    settings.metrics?.countConfirmed(shard, acknowledged);
  }
  return { handled: acked.length, unhandled };
}

/** The confirm workers' per-batch work: confirmBatch, and whyUnconfirmable for what a reclaim dead-letters. */
export function confirmHandler(settings: ConfirmSettings): BatchHandler {
  return {
    handle: (redis, batch) => confirmBatch(redis, batch, settings),
    problemOf: (entry, stream) => whyUnconfirmable(entry, shardOfEventsStreamKey(stream), settings.store),
  };
}
