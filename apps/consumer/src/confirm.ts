import { CONSUMER_GROUP, confirmBatchScript, runScript, seenKey, shardOf, shardOfEventsStreamKey } from '@ddup/redis-keys';
import type { StreamBatch } from './stream-reply.ts';
import { entryTimeMs } from './stream-reply.ts';

export interface ConfirmSettings {
  readonly windowMs: number;
  readonly shardCount: number;
}

/** Sends raw commands (a connection, or one bounded by withCommandTimeout). */
export interface CommandSender {
  sendCommand<T = unknown>(args: readonly string[]): Promise<T>;
}

export interface ConfirmResult {
  /** Entries acknowledged: confirmed, or deleted from the stream while pending (nothing left to confirm). */
  readonly confirmed: number;
  /** Entries left pending because they cannot be confirmed (no hash field, wrong shard). */
  readonly unconfirmable: readonly string[];
}

const HASH = /^[0-9a-f]{64}$/;

/** Why an entry cannot be confirmed (it would fail on every delivery), or undefined when it can. */
export function whyUnconfirmable(
  fields: Readonly<Record<string, string>>,
  shard: number | undefined,
  shardCount: number,
): string | undefined {
  const hash = fields.hash;
  if (shard === undefined) return 'not an events stream';
  if (hash === undefined) return 'no hash field';
  if (!HASH.test(hash)) return 'hash field is not a hex SHA-256';
  if (shardOf(hash, shardCount) !== shard) return `hash belongs to another shard (STREAM_SHARDS=${shardCount})`;
  return undefined;
}

/**
 * Marks each event's seen key `processed` until the end of its window and acknowledges the
 * entries, in one script call (`confirm-batch-var.lua`). The expiry is absolute (PXAT = entry time + window): the window
 * counts from first acceptance, and confirming the same entry twice changes nothing.
 * An entry whose window has already passed only gets acknowledged, so a late redelivery can never
 * shorten the window of a newer admission of the same event.
 */
export async function confirmBatch(
  redis: CommandSender,
  batch: StreamBatch,
  settings: ConfirmSettings,
  now: number = Date.now(),
): Promise<ConfirmResult> {
  const shard = shardOfEventsStreamKey(batch.stream);
  const seenKeys: string[] = [];
  const expiries: string[] = [];
  const acked: string[] = [];
  const unconfirmable: string[] = [];
  for (const entry of batch.entries) {
    if (entry.fields === undefined) {
      acked.push(entry.id);
      continue;
    }
    const hash = entry.fields.hash;
    if (shard === undefined || !hash || whyUnconfirmable(entry.fields, shard, settings.shardCount)) {
      unconfirmable.push(entry.id);
      continue;
    }
    const expiresAt = entryTimeMs(entry.id) + settings.windowMs;
    if (expiresAt > now) {
      seenKeys.push(seenKey(shard, hash));
      expiries.push(String(expiresAt));
    }
    acked.push(entry.id);
  }
  if (acked.length > 0) {
    const script = confirmBatchScript.withKeyCount(1 + seenKeys.length);
    await runScript(redis, script, [batch.stream, ...seenKeys], [CONSUMER_GROUP, ...expiries, ...acked]);
  }
  return { confirmed: acked.length, unconfirmable };
}
