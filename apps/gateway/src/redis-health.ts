import type { RedisCommandSender } from '@ddup/redis-keys';
import type { RedisConnection } from '@ddup/runtime';

/** PINGs Redis; undefined when it answers, else the reason. Bounded by the command timeout of `commands`. */
export function redisHealthCheck(redis: RedisConnection, commands: RedisCommandSender): () => Promise<string | undefined> {
  return async () => {
    if (!redis.isReady) return 'not connected';
    try {
      await commands.sendCommand(['PING']);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message || error.name : String(error);
    }
  };
}
