import { type RedisCommandSender, SHARD_COUNT_KEY } from '@ddup/redis-keys';
import type { Logger } from './log.ts';

/**
 * Records `shardCount` in Redis if no count is recorded yet (SET NX GET, one command), and returns
 * the count recorded before when it differs: then this process must not run, since it would look
 * for seen keys in the wrong shards.
 */
export async function checkShardCount(redis: RedisCommandSender, shardCount: number): Promise<number | undefined> {
  const previous = await redis.sendCommand<string | null>(['SET', SHARD_COUNT_KEY, String(shardCount), 'NX', 'GET']);
  if (previous === null || Number(previous) === shardCount) return undefined;
  return Number(previous);
}

/** The message a process stops with when its STREAM_SHARDS differs from the recorded one. */
export function shardCountMismatch(configured: number, recorded: number): string {
  return (
    `STREAM_SHARDS=${configured}, but this Redis holds data written with STREAM_SHARDS=${recorded} ` +
    `(${SHARD_COUNT_KEY}). Changing it would move every seen key to another shard and break the dedup ` +
    `window: start with STREAM_SHARDS=${recorded}.`
  );
}

/**
 * Checks the shard count at every (re)connection (the server may have been replaced by one with
 * other data) and stops the process with status 2 on a mismatch. A failed check is left to the
 * next connection.
 */
export async function stopOnShardCountMismatch(redis: RedisCommandSender, shardCount: number, logger: Logger): Promise<void> {
  const recorded = await checkShardCount(redis, shardCount).catch(() => undefined);
  if (recorded === undefined) return;
  logger.error(shardCountMismatch(shardCount, recorded));
  process.exit(2);
}
