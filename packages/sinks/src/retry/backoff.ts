/** How long to wait before attempts: exponential, with full jitter, capped. */
export interface BackoffSchedule {
  /** The ceiling of the first retry's wait; doubled for each attempt after it. */
  readonly initialBackoffMs: number;
  /** No wait is longer, a Retry-After included. */
  readonly maxBackoffMs: number;
}

/**
 * The wait after failed attempt `attempt` (1 for the first): a uniformly random time up to
 * min(maxBackoffMs, initialBackoffMs * 2^(attempt-1)) ("full jitter", so that many retrying events
 * spread out instead of coming back together). A server's Retry-After replaces it, capped too.
 */
export function backoffMs(schedule: BackoffSchedule, attempt: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(schedule.maxBackoffMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(schedule.maxBackoffMs, schedule.initialBackoffMs * 2 ** Math.min(attempt - 1, 40));
  return Math.floor(random() * ceiling);
}
