import { sinkOfGroupName } from './names.ts';
import type { RedisCommandSender } from './script-runner.ts';
import { groupsOfStream, pendingSummaryOf } from './streams/consumer-group.ts';

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

/**
 * The lowest id `stream` may be trimmed to (XTRIM MINID keeps ids >= it): older than the retention,
 * and below every entry that ANY consumer group on the stream has not acknowledged — `ddup-workers`
 * and every downstream reader's group alike: below each group's oldest pending entry and below
 * everything it has not yet been delivered. Redis 7.0 has no ACKED trim option, so this is computed
 * from the groups. Entries delivered or made pending after this reading all have larger ids, so a
 * trim with the result is safe even as the groups move on. Undefined when the stream has no group
 * (nothing is trimmed then: nobody has read it).
 *
 * A sink's group (`ddup-sink:<id>`) holds entries back for `sinkHoldMs` at most: a sink that is
 * down, disabled or removed from SINKS_FILE loses what is older than that rather than growing the
 * stream without bound (SINK_MAX_BACKLOG_SECONDS; undefined: sinks hold like any group).
 */
export async function safeTrimId(
  redis: RedisCommandSender,
  stream: string,
  retentionMs: number,
  now: number,
  sinkHoldMs?: number,
): Promise<string | undefined> {
  const groups = await groupsOfStream(redis, stream);
  if (groups.length === 0) return undefined;
  const candidates = [`${Math.max(0, now - retentionMs)}-0`];
  const sinkFloor = sinkHoldMs === undefined ? undefined : `${Math.max(0, now - sinkHoldMs)}-0`;
  for (const group of groups) {
    const name = String(group.name);
    const floor = sinkOfGroupName(name) === undefined ? undefined : sinkFloor;
    const held = (id: string) => (floor !== undefined && compareIds(id, floor) < 0 ? floor : id);
    candidates.push(held(nextId(String(group['last-delivered-id'] ?? '0-0'))));
    if (Number(group.pending ?? 0) === 0) continue;
    const pending = await pendingSummaryOf(redis, stream, name);
    if (pending.count > 0 && pending.oldestId) candidates.push(held(pending.oldestId));
  }
  return candidates.sort(compareIds)[0];
}

/** Trims entries older than the retention that every group has acknowledged; returns how many were removed. */
export async function trimAcknowledged(redis: RedisCommandSender, stream: string, retentionMs: number, now = Date.now(), sinkHoldMs?: number): Promise<number> {
  const minId = await safeTrimId(redis, stream, retentionMs, now, sinkHoldMs);
  if (!minId) return 0;
  return redis.sendCommand<number>(['XTRIM', stream, 'MINID', minId]);
}
