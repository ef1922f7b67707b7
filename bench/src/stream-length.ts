import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisProbe } from './redis-probe.ts';

/** The one stream the gateway writes with STREAM_SHARDS=1 (names are stable, see README). */
export const EVENTS_STREAM = 'ddup:{s00}:events';

/**
 * XLEN of the events stream once it has stopped growing: requests the load generator abandoned in
 * flight when its time ran out are still admitted by the gateway a moment later.
 */
export async function settledStreamLength(probe: RedisProbe, quietMs = 500, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let length = await probe.xlen(EVENTS_STREAM);
  for (;;) {
    await sleep(quietMs);
    const next = await probe.xlen(EVENTS_STREAM);
    if (next === length || Date.now() > deadline) return next;
    length = next;
  }
}
