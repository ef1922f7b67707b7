import type { LoadSummary } from './load.ts';

/**
 * Does the stream hold exactly what the gateway said it stored? Every 202 must be an entry, so the
 * growth is never below the 202s. It may exceed them by the requests the load generator abandoned
 * in flight at the end (sent, never answered: the gateway still admits them) and by 503s of `wait`
 * (stored on the primary, replica too slow) — nothing else.
 */
export interface HonestyCheck {
  readonly accepted202: number;
  readonly streamGrowth: number;
  /** streamGrowth − accepted202. */
  readonly storedWithout202: number;
  /** Sent but never answered: the load generator closed the sockets when its time was up. */
  readonly unansweredAtStop: number;
  readonly answered503: number;
  readonly ok: boolean;
}

export function checkHonesty(load: LoadSummary, streamGrowth: number): HonestyCheck {
  const storedWithout202 = streamGrowth - load.accepted202;
  const unansweredAtStop = Math.max(0, load.sent - load.answered);
  const answered503 = load.statusCounts['503'] ?? 0;
  return {
    accepted202: load.accepted202,
    streamGrowth,
    storedWithout202,
    unansweredAtStop,
    answered503,
    ok: storedWithout202 >= 0 && storedWithout202 <= unansweredAtStop + answered503,
  };
}
