import type { LoadSummary } from './load.ts';

/**
 * Did the stream grow by exactly what the service said it stored? Every event answered as stored
 * must be an entry, so the growth is never below that count. It may exceed it by at most `allowed`
 * events: those of requests the load generator abandoned in flight at the end (sent, never
 * answered: the service still stores them), and those answered 503 under `wait` (stored on the
 * primary, replica too slow) — nothing else.
 */
export interface GrowthCheck {
  /** Events the service answered as stored (202s, or a batch's `accepted`). */
  readonly stored: number;
  readonly streamGrowth: number;
  /** streamGrowth − stored. */
  readonly storedUnanswered: number;
  readonly allowed: number;
  readonly ok: boolean;
}

export function checkGrowth(stored: number, streamGrowth: number, allowed: number): GrowthCheck {
  const storedUnanswered = streamGrowth - stored;
  return { stored, streamGrowth, storedUnanswered, allowed, ok: storedUnanswered >= 0 && storedUnanswered <= allowed };
}

/** Requests sent but never answered: the load generator closed the sockets when its time was up. */
export function unansweredAtStop(load: LoadSummary): number {
  return Math.max(0, load.sent - load.answered);
}

/** The durability benchmark's form: one event per request, 202 = stored. */
export interface HonestyCheck {
  readonly accepted202: number;
  readonly streamGrowth: number;
  /** streamGrowth − accepted202. */
  readonly storedWithout202: number;
  readonly unansweredAtStop: number;
  readonly answered503: number;
  readonly ok: boolean;
}

export function checkHonesty(load: LoadSummary, streamGrowth: number): HonestyCheck {
  const unanswered = unansweredAtStop(load);
  const answered503 = load.statusCounts['503'] ?? 0;
  const growth = checkGrowth(load.accepted202, streamGrowth, unanswered + answered503);
  return {
    accepted202: load.accepted202,
    streamGrowth,
    storedWithout202: growth.storedUnanswered,
    unansweredAtStop: unanswered,
    answered503,
    ok: growth.ok,
  };
}
