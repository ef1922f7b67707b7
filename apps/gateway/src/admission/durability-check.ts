import type { Logger, RedisCommands } from '@ddup/runtime';

/**
 * With DURABILITY=fsync a 202 is only as durable as the server's AOF policy. The embedded Redis
 * is started with `appendfsync always`; an external one is checked (CONFIG may be disabled on a
 * managed Redis, which is reported too) and a mismatch is logged at every (re)connection.
 */
export async function warnUnlessFsyncAlways(redis: RedisCommands, logger: Logger): Promise<void> {
  try {
    // On a cluster, every master: each one's policy covers the shards it holds.
    const appendOnly = await redis.sendToEachMaster<string[]>(['CONFIG', 'GET', 'appendonly']);
    const appendFsync = await redis.sendToEachMaster<string[]>(['CONFIG', 'GET', 'appendfsync']);
    const weak = appendOnly.some(([, value]) => value !== 'yes') || appendFsync.some(([, value]) => value !== 'always');
    if (weak) {
      logger.warn('DURABILITY=fsync but Redis does not fsync every write; a 202 may not survive a crash of its host', {
        appendonly: appendOnly.map(([, value]) => value).join(','),
        appendfsync: appendFsync.map(([, value]) => value).join(','),
      });
    }
  } catch (error) {
    logger.warn('DURABILITY=fsync: cannot read the Redis AOF policy (CONFIG GET failed)', { error });
  }
}
