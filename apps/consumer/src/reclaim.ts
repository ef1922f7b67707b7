import { CONSUMER_GROUP, type RedisCommandSender, shardOfEventsStreamKey } from '@ddup/store';
import { type ConfirmSettings, confirmBatch, whyUnconfirmable } from './confirm.ts';
import type { ConsumerMetrics } from './metrics/consumer-metrics.ts';
import { parseStreamsReply } from './stream-reply.ts';

export interface ReclaimSettings {
  /** Entries pending longer than this belong to a consumer presumed dead (or stuck). */
  readonly minIdleMs: number;
  /** An entry delivered this many times without being acknowledged goes to the dead letters. */
  readonly maxDeliveries: number;
  /** Entries looked at per stream and pass. */
  readonly count: number;
  /** Where claimed and dead-lettered entries are counted (none: not counted). */
  readonly metrics?: ConsumerMetrics;
}

export interface ReclaimResult {
  readonly confirmed: number;
  readonly deadLettered: number;
  /** The pass found a whole page (`count`) of stale entries: there may be more. */
  readonly more: boolean;
}

/** XPENDING's extended form: id, owner, idle ms, delivery count. */
type PendingRow = [string, string, number, number];

/**
 * Why entry `id` can never be confirmed (no or bad hash, wrong shard), or undefined when it can
 * (or is gone from the stream, which confirming handles).
 */
async function problemOf(redis: RedisCommandSender, stream: string, id: string, confirm: ConfirmSettings): Promise<string | undefined> {
  const [entry] = parseStreamsReply([[stream, await redis.sendCommand(['XRANGE', stream, id, id])]])[0]?.entries ?? [];
  return entry?.fields ? whyUnconfirmable(entry.fields, shardOfEventsStreamKey(stream), confirm.store) : undefined;
}

/**
 * Takes over what crashed or stuck consumers left pending. Entries idle for `minIdleMs` are
 * claimed (XCLAIM re-checks the idle time, so two reclaimers never both take one) and confirmed;
 * confirmation is idempotent, so an entry its first owner did confirm but not acknowledge does no
 * harm.
 *
 * An entry delivered `maxDeliveries` times goes to `ddup:{sNN}:dead` (with the reason and delivery
 * count, then acknowledged) only when it cannot be confirmed on its own merits, so one poison entry
 * cannot cycle for ever. Deliveries that failed because Redis refused the write (out of memory,
 * read-only, a lost connection, a timeout) are not the entry's fault: such an entry is claimed and
 * confirmed like any other, however often it was delivered before.
 */
export async function reclaimStale(
  redis: RedisCommandSender,
  stream: string,
  consumer: string,
  settings: ReclaimSettings,
  confirm: ConfirmSettings,
): Promise<ReclaimResult> {
  const idle = String(settings.minIdleMs);
  const rows = await redis.sendCommand<PendingRow[]>(['XPENDING', stream, CONSUMER_GROUP, 'IDLE', idle, '-', '+', String(settings.count)]);
  const shard = shardOfEventsStreamKey(stream);
  let deadLettered = 0;
  const retry: string[] = [];
  for (const [id, , , deliveries] of rows) {
    if (deliveries < settings.maxDeliveries) {
      retry.push(id);
      continue;
    }
    if (shard === undefined) continue;
    const problem = await problemOf(redis, stream, id, confirm);
    if (problem === undefined) {
      retry.push(id);
      continue;
    }
    if (await confirm.store.deadLetter(redis, stream, id, `${problem} after ${deliveries} deliveries`, deliveries)) {
      deadLettered++;
      settings.metrics?.countDeadLettered(shard, 1);
    }
  }
  const more = rows.length >= settings.count;
  if (retry.length === 0) return { confirmed: 0, deadLettered, more };
  const claimed = await redis.sendCommand<unknown[]>(['XCLAIM', stream, CONSUMER_GROUP, consumer, idle, ...retry]);
  // What XCLAIM returned: another reclaimer may have taken some first (it re-checks the idle time).
  settings.metrics?.countReclaimed(shard, claimed.length);
  const [batch] = parseStreamsReply([[stream, claimed]]);
  const result = batch ? await confirmBatch(redis, batch, confirm) : { confirmed: 0 };
  return { confirmed: result.confirmed, deadLettered, more };
}
