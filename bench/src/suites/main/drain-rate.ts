import type { ProgressSample } from '../../lib/redis/group-progress.ts';

export interface DrainRate {
  readonly eventsPerSecond: number;
  /** The interval the rate is measured over. */
  readonly seconds: number;
  readonly events: number;
}

const confirmedAt = (sample: ProgressSample) => (sample.progress ? sample.progress.entriesRead - sample.progress.pending : 0);

/**
 * Confirmations per second from the first reading that shows the consumer at work to the reading
 * that shows everything confirmed, so that the process's start-up (tsx, connecting) is not counted.
 * When it was all over within one reading, from `startedAt` instead.
 */
export function drainRate(samples: readonly ProgressSample[], startedAt: number): DrainRate {
  const last = samples.at(-1);
  const first = samples.find((sample) => (sample.progress?.entriesRead ?? 0) > 0);
  if (!last) return { eventsPerSecond: 0, seconds: 0, events: 0 };
  if (!first || first === last) {
    const seconds = (last.at - startedAt) / 1000;
    return { eventsPerSecond: confirmedAt(last) / seconds, seconds, events: confirmedAt(last) };
  }
  const events = confirmedAt(last) - confirmedAt(first);
  const seconds = (last.at - first.at) / 1000;
  return { eventsPerSecond: events / seconds, seconds, events };
}
