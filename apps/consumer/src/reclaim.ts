import { type RedisCommandSender, type StreamGroup, shardOfEventsStreamKey } from '@ddup/store';
import type { BatchHandler } from './batch-handler.ts';
import type { ConsumerMetrics } from './metrics/consumer-metrics.ts';

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
  /** Entries claimed and acknowledged by the handler. */
  readonly handled: number;
  readonly deadLettered: number;
  /** The pass found a whole page (`count`) of stale entries: there may be more. */
  readonly more: boolean;
}

/**
 * Takes over what crashed or stuck consumers of `group` left pending on `stream`. Entries idle for
 * `minIdleMs` are claimed (the claim re-checks the idle time, so two reclaimers never both take one)
 * and handed to `handler`; the confirm workers' handling is idempotent, so an entry its first owner
 * did confirm but not acknowledge does no harm.
 *
 * An entry delivered `maxDeliveries` times goes to `ddup:{sNN}:dead` (with the reason and delivery
 * count, then acknowledged) only when the handler says it can never be handled on its own merits,
 * so one poison entry cannot cycle for ever. Deliveries that failed because Redis refused the write
 * (out of memory, read-only, a lost connection, a timeout) are not the entry's fault: such an entry
 * is claimed and handled like any other, however often it was delivered before.
 */
export async function reclaimStale(
  redis: RedisCommandSender,
  group: StreamGroup,
  stream: string,
  consumer: string,
  settings: ReclaimSettings,
  handler: BatchHandler,
): Promise<ReclaimResult> {
  const stale = await group.stale(redis, stream, settings.minIdleMs, settings.count);
  const shard = shardOfEventsStreamKey(stream);
  let deadLettered = 0;
  const retry: string[] = [];
  for (const { id, deliveries } of stale) {
    if (deliveries < settings.maxDeliveries) {
      retry.push(id);
      continue;
    }
    if (shard === undefined) continue;
    // Gone from the stream: claiming and handling it acknowledges it.
    const entry = await group.entry(redis, stream, id);
    const problem = entry && handler.problemOf(entry, stream);
    if (problem === undefined) {
      retry.push(id);
      continue;
    }
    if (await group.deadLetter(redis, stream, id, `${problem} after ${deliveries} deliveries`, deliveries)) {
      deadLettered++;
      settings.metrics?.countDeadLettered(shard, 1);
    }
  }
  const more = stale.length >= settings.count;
  if (retry.length === 0) return { handled: 0, deadLettered, more };
  const claimed = await group.claim(redis, stream, consumer, settings.minIdleMs, retry);
  // What the claim returned: another reclaimer may have taken some first (it re-checks the idle time).
  settings.metrics?.countReclaimed(shard, claimed.length);
  const result = await handler.handle(redis, { stream, entries: claimed });
  return { handled: result.handled, deadLettered, more };
}
