import { CONSUMER_GROUP } from '@ddup/redis-keys';
import type { CommandSender } from './confirm.ts';

/** Orders stream ids (`ms-seq`) numerically. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

/** The smallest id greater than `id`. */
function nextId(id: string): string {
  const [ms = 0, seq = 0] = id.split('-').map(Number);
  return `${ms}-${seq + 1}`;
}

function field(flat: readonly unknown[], name: string): unknown {
  const index = flat.indexOf(name);
  return index === -1 ? undefined : flat[index + 1];
}

/**
 * The lowest id the events stream may be trimmed to (XTRIM MINID keeps ids >= it): older than the
 * retention, and below every entry `ddup-workers` has not acknowledged, i.e. below the oldest
 * pending entry and below everything not yet delivered. Redis 7.0 has no ACKED trim option, so
 * this is computed from the group. Entries delivered or made pending after this reading all have
 * larger ids, so a trim with the result is safe even as the group moves on.
 * Undefined when the group does not exist (nothing is trimmed then).
 */
export async function safeTrimId(redis: CommandSender, stream: string, retentionMs: number, now: number): Promise<string | undefined> {
  const groups = await redis.sendCommand<unknown[][]>(['XINFO', 'GROUPS', stream]);
  const group = groups.find((flat) => field(flat, 'name') === CONSUMER_GROUP);
  if (!group) return undefined;
  const candidates = [`${Math.max(0, now - retentionMs)}-0`, nextId(String(field(group, 'last-delivered-id') ?? '0-0'))];
  const [pendingCount, oldestPending] = await redis.sendCommand<[number, string | null]>(['XPENDING', stream, CONSUMER_GROUP]);
  if (pendingCount > 0 && oldestPending) candidates.push(oldestPending);
  return candidates.sort(compareIds)[0];
}

/** Trims acknowledged entries older than the retention; returns how many were removed. */
export async function trimAcknowledged(redis: CommandSender, stream: string, retentionMs: number, now = Date.now()): Promise<number> {
  const minId = await safeTrimId(redis, stream, retentionMs, now);
  if (!minId) return 0;
  return redis.sendCommand<number>(['XTRIM', stream, 'MINID', minId]);
}
