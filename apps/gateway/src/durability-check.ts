import type { RedisCommandSender } from '@ddup/redis-keys';
import type { Logger } from '@ddup/runtime';

/**
 * With DURABILITY=fsync a 202 is only as durable as the server's AOF policy. The embedded Redis
 * is started with `appendfsync always`; an external one is checked (CONFIG may be disabled on a
 * managed Redis, which is reported too) and a mismatch is logged at every (re)connection.
 */
export async function warnUnlessFsyncAlways(redis: RedisCommandSender, logger: Logger): Promise<void> {
  try {
    const [, appendOnly] = await redis.sendCommand<string[]>(['CONFIG', 'GET', 'appendonly']);
    const [, appendFsync] = await redis.sendCommand<string[]>(['CONFIG', 'GET', 'appendfsync']);
    if (appendOnly !== 'yes' || appendFsync !== 'always') {
      logger.warn('DURABILITY=fsync but Redis does not fsync every write; a 202 may not survive a crash of its host', {
        appendonly: appendOnly,
        appendfsync: appendFsync,
      });
    }
  } catch (error) {
    logger.warn('DURABILITY=fsync: cannot read the Redis AOF policy (CONFIG GET failed)', { error: String(error) });
  }
}
