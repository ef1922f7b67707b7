import { booleanVar, integerVar } from '@ddup/config';
import { DEFAULT_INDEX_CAPACITY } from './index-layout.ts';
import { MAX_SHARDS } from './shard.ts';

export const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;

/**
 * The settings that decide where the store looks for a remembered event, read with the same
 * meaning by every process (gateway, consumer, CLIs). STREAM_SHARDS and INDEX_CAPACITY are
 * recorded in Redis on first start (ddup:meta:*): a process with other values refuses to run.
 */
export const layoutVariables = {
  /** How long an event hash is remembered, counted from first acceptance (to the second above it). */
  DEDUP_WINDOW_SECONDS: integerVar({ min: 1, max: 10 * 365 * 24 * 60 * 60, fallback: SEVEN_DAYS_SECONDS }),
  /** How many stream shards events spread over. Changing it moves remembered events, so keep it fixed. */
  STREAM_SHARDS: integerVar({ min: 1, max: MAX_SHARDS, fallback: 1 }),
  /**
   * Events the dedup window is expected to hold (peak rate × window). Sizes the index: one bucket
   * per 128 events. Fixed on first start, like STREAM_SHARDS; too low slows admission, too high
   * costs ~170 B per bucket key (~1.3 B per event when buckets are half full).
   */
  INDEX_CAPACITY: integerVar({ min: 1, max: 100_000_000_000, fallback: DEFAULT_INDEX_CAPACITY }),
} as const;

/** What a gateway or consumer does when Redis comes back without ddup's data (see RedisPreflight). */
export const redisResetVariables = {
  /**
   * false (default): hold (503, /readyz `redis_reset`) until an operator runs `pnpm ddup
   * accept-reset`; true: log it, count it, and go on with an empty window.
   */
  ALLOW_REDIS_RESET: booleanVar(false),
} as const;
