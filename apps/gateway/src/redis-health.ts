import { type RedisCommands, type RedisConnection, errorText } from '@ddup/runtime';

/**
 * PINGs Redis (on a cluster, every master: each holds some shards); undefined when all answer,
 * else the reason. Bounded by the command timeout of `commands`.
 */
export function redisHealthCheck(redis: RedisConnection, commands: RedisCommands): () => Promise<string | undefined> {
  return async () => {
    if (!redis.isReady) return 'not connected';
    try {
      await commands.sendToEachMaster(['PING']);
      return undefined;
    } catch (error) {
      return errorText(error);
    }
  };
}
