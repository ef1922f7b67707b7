import { type RedisPreflight, RedisNotCheckedError } from '@ddup/redis-checks';
import { type RedisConnection, errorText } from '@ddup/runtime';

/** Why the gateway cannot serve admissions now, as /readyz reports it. */
export interface RedisHealthProblem {
  /**
   * `unreachable`, `eviction_policy` (Redis may forget remembered events), `out_of_memory` (it
   * refuses writes) or `redis_reset` (it came back without ddup's data; held until accepted).
   */
  readonly reason: 'unreachable' | 'eviction_policy' | 'out_of_memory' | 'redis_reset';
  readonly detail: string;
}

/** How long /readyz keeps saying `out_of_memory` after Redis last refused an admission with OOM. */
export const OUT_OF_MEMORY_HOLD_MS = 5_000;

/**
 * When Redis last refused a write of an admission for lack of memory. Redis decides per command,
 * counting the command's own arguments (a big batch) and every client's buffers, so it can refuse
 * while `INFO memory`, read a moment later, is under maxmemory: /readyz goes by both (the refusal
 * only while a maxmemory is still set: without one, Redis refuses nothing for memory).
 */
export class OutOfMemoryReplies {
  #lastMs = Number.NEGATIVE_INFINITY;

  note(nowMs = Date.now()): void {
    this.#lastMs = nowMs;
  }

  /** Ms since the last OOM reply, if it came within OUT_OF_MEMORY_HOLD_MS. */
  recentMs(nowMs = Date.now()): number | undefined {
    const age = nowMs - this.#lastMs;
    return age <= OUT_OF_MEMORY_HOLD_MS ? age : undefined;
  }
}

/**
 * Asks Redis (on a cluster, every master: each holds some shards) for its memory state: undefined
 * when it can serve, else why not; not ready either until the preflight has checked this Redis,
 * nor for OUT_OF_MEMORY_HOLD_MS after an admission was refused with OOM. Bounded by the command
 * timeout of the watch's commands.
 */
export function redisHealthCheck(
  redis: RedisConnection,
  preflight: RedisPreflight,
  outOfMemory?: OutOfMemoryReplies,
): () => Promise<RedisHealthProblem | undefined> {
  return async () => {
    if (preflight.resetDetail !== undefined) return { reason: 'redis_reset', detail: preflight.resetDetail };
    if (!redis.isReady) return { reason: 'unreachable', detail: 'Redis is not reachable: not connected' };
    try {
      const problem = await preflight.memory.look();
      const refusedMs = outOfMemory?.recentMs();
      if (!problem && refusedMs !== undefined && preflight.memory.limited) {
        return {
          reason: 'out_of_memory',
          detail: `Redis refused an admission ${refusedMs} ms ago for lack of memory (OOM), though INFO memory is now under maxmemory: it is at its limit`,
        };
      }
      if (problem || preflight.hasPassed) return problem;
      return { reason: 'unreachable', detail: new RedisNotCheckedError().message };
    } catch (error) {
      return { reason: 'unreachable', detail: `Redis is not reachable: ${errorText(error)}` };
    }
  };
}
