import { setTimeout as sleep } from 'node:timers/promises';
import { eventsStreamKey } from '@ddup/store';
import type { RedisProbe } from './redis-probe.ts';

/** The one stream the gateway writes with STREAM_SHARDS=1 (names are stable, see README). */
export const EVENTS_STREAM = eventsStreamKey(0);

/**
 * `count()` once it has stopped changing: requests the load generator abandoned in flight when its
 * time ran out are still admitted by the gateway a moment later.
 */
export async function settledCount(count: () => Promise<number>, quietMs = 500, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let value = await count();
  for (;;) {
    await sleep(quietMs);
    const next = await count();
    if (next === value || Date.now() > deadline) return next;
    value = next;
  }
}

/** XLEN of the events stream once it has stopped growing. */
export function settledStreamLength(probe: RedisProbe): Promise<number> {
  return settledCount(() => probe.xlen(EVENTS_STREAM));
}
