import { type RedisConnection, type RedisPreflight, RedisNotCheckedError, errorText } from '@ddup/runtime';

/** Why the gateway cannot serve admissions now, as /readyz reports it. */
export interface RedisHealthProblem {
  /** `unreachable`, `eviction_policy` (Redis may forget remembered events) or `out_of_memory` (it refuses writes). */
  readonly reason: 'unreachable' | 'eviction_policy' | 'out_of_memory';
  readonly detail: string;
}

/**
 * Asks Redis (on a cluster, every master: each holds some shards) for its memory state: undefined
 * when it can serve, else why not; not ready either until the preflight has checked this Redis.
 * Bounded by the command timeout of the watch's commands.
 */
export function redisHealthCheck(redis: RedisConnection, preflight: RedisPreflight): () => Promise<RedisHealthProblem | undefined> {
  return async () => {
    if (!redis.isReady) return { reason: 'unreachable', detail: 'Redis is not reachable: not connected' };
    try {
      const problem = await preflight.memory.look();
      if (problem || preflight.hasPassed) return problem;
      return { reason: 'unreachable', detail: new RedisNotCheckedError().message };
    } catch (error) {
      return { reason: 'unreachable', detail: `Redis is not reachable: ${errorText(error)}` };
    }
  };
}
