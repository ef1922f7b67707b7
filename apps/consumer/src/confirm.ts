import { type EntryToConfirm, type RedisCommandSender, type Store, shardOfEventsStreamKey } from '@ddup/store';
import type { ConsumerMetrics } from './metrics/consumer-metrics.ts';
import type { StreamBatch } from './stream-reply.ts';
import { entryTimeMs } from './stream-reply.ts';

export interface ConfirmSettings {
  readonly store: Store;
  readonly windowMs: number;
  /** Where confirmations are counted and the confirm call timed (none: not measured). */
  readonly metrics?: ConsumerMetrics;
}

/** Sends raw commands (a connection, or one bounded by withCommandTimeout). */
export type CommandSender = RedisCommandSender;

export interface ConfirmResult {
  /** Entries acknowledged: confirmed, or deleted from the stream while pending (nothing left to confirm). */
  readonly confirmed: number;
  /** Entries left pending because they cannot be confirmed (no hash field, wrong shard). */
  readonly unconfirmable: readonly string[];
}

const HASH = /^[0-9a-f]{64}$/;

/** Why an entry cannot be confirmed (it would fail on every delivery), or undefined when it can. */
export function whyUnconfirmable(fields: Readonly<Record<string, string>>, shard: number | undefined, store: Store): string | undefined {
  const hash = fields.hash;
  if (shard === undefined) return 'not an events stream';
  if (hash === undefined) return 'no hash field';
  if (!HASH.test(hash)) return 'hash field is not a hex SHA-256';
  if (store.shardOf(hash) !== shard) return `hash belongs to another shard (STREAM_SHARDS=${store.layout.shardCount})`;
  return undefined;
}

/**
 * Marks each event processed in the index and acknowledges the entries, in one script call
 * (`confirm-batch-var.lua`). The window counts from first acceptance, so confirming changes the
 * state only, never the expiry, and confirming the same entry twice changes nothing. An entry whose
 * window has already passed is only acknowledged: a late redelivery never touches a newer
 * admission of the same event.
 */
export async function confirmBatch(redis: CommandSender, batch: StreamBatch, settings: ConfirmSettings, now: number = Date.now()): Promise<ConfirmResult> {
  const shard = shardOfEventsStreamKey(batch.stream);
  const toMark: EntryToConfirm[] = [];
  const acked: string[] = [];
  const unconfirmable: string[] = [];
  for (const entry of batch.entries) {
    if (entry.fields === undefined) {
      acked.push(entry.id);
      continue;
    }
    const hash = entry.fields.hash;
    if (shard === undefined || !hash || whyUnconfirmable(entry.fields, shard, settings.store)) {
      unconfirmable.push(entry.id);
      continue;
    }
    if (entryTimeMs(entry.id) + settings.windowMs > now) toMark.push({ id: entry.id, hash });
    acked.push(entry.id);
  }
  if (acked.length > 0) {
    const confirm = () => settings.store.confirm(redis, batch.stream, toMark, acked);
    // XACK's count: an entry another consumer acknowledged meanwhile is not counted twice.
    const acknowledged = await (settings.metrics?.timeConfirm(confirm) ?? confirm());
    settings.metrics?.countConfirmed(shard, acknowledged);
  }
  return { confirmed: acked.length, unconfirmable };
}
