import type { RedisConnection } from '@ddup/runtime';

/** PINGs Redis; undefined when it answers, else the reason. Never waits longer than the command timeout. */
export function redisHealthCheck(redis: RedisConnection): () => Promise<string | undefined> {
  return async () => {
    if (!redis.isReady) return 'not connected';
    try {
      await redis.ping();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message || error.name : String(error);
    }
  };
}
