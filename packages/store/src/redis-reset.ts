import { INDEX_LAYOUT_KEY, REDIS_RESET_KEY, SHARD_COUNT_KEY } from './names.ts';
import type { RedisCommandSender } from './script-runner.ts';

/**
 * What `ddup:meta:reset` says: `pending` from when a process found the data gone (Redis came back
 * empty) until an operator accepts it (`pnpm ddup accept-reset`), then `accepted`; `none` when
 * no reset was ever found (or the Redis is another, fresh one).
 */
export type RedisResetState = { readonly state: 'none' } | { readonly state: 'pending' | 'accepted'; readonly sinceMs: number };

export async function readRedisReset(redis: RedisCommandSender): Promise<RedisResetState> {
  const value = await redis.sendCommand<string | null>(['GET', REDIS_RESET_KEY]);
  const match = /^(pending|accepted) (\d+)$/.exec(value ?? '');
  if (!match?.[1]) return { state: 'none' };
  return { state: match[1] as 'pending' | 'accepted', sinceMs: Number(match[2]) };
}

/** Whether the layout records (ddup:meta:*) are there: every Redis ddup has run on holds them. */
export async function hasRecordedLayout(redis: RedisCommandSender): Promise<boolean> {
  const [shards, index] = await Promise.all([
    redis.sendCommand<string | null>(['GET', SHARD_COUNT_KEY]),
    redis.sendCommand<string | null>(['GET', INDEX_LAYOUT_KEY]),
  ]);
  return shards !== null || index !== null;
}

/** Notes a reset as pending (the first finder's time stays), so that every process holds until it is accepted. */
export async function markRedisResetPending(redis: RedisCommandSender, nowMs = Date.now()): Promise<void> {
  await redis.sendCommand(['SET', REDIS_RESET_KEY, `pending ${nowMs}`, 'NX']);
}

/** The operator's acceptance: processes holding on a reset go on (and record the layout anew). Returns the state before. */
export async function acceptRedisReset(redis: RedisCommandSender, nowMs = Date.now()): Promise<RedisResetState> {
  const before = await readRedisReset(redis);
  if (before.state === 'pending') await redis.sendCommand(['SET', REDIS_RESET_KEY, `accepted ${nowMs}`]);
  return before;
}
