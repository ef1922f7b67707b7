import { EVENT_OUTCOMES, type EventOutcome } from '../../metrics/event-outcome.ts';
import type { LiveFigures } from '../../metrics/gateway-metrics.ts';

/** How much of the past the dashboard keeps, so a new viewer sees the charts filled at once. */
export const HISTORY_MS = 10 * 60 * 1000;

/** One point of the dashboard's charts: what happened between two samples of the counters. */
export interface RatePoint {
  /** When the interval ended (Unix ms). */
  readonly atMs: number;
  /** Events per second over the interval, by outcome. */
  readonly perSecond: Readonly<Record<EventOutcome, number>>;
  /** Duplicates among the events decided in the interval (accepted or duplicate); null when none was. */
  readonly duplicateRatio: number | null;
  /** Request-time quantiles over the minute before `atMs` (seconds), as GatewayMetrics keeps them. */
  readonly latency: LiveFigures['latency'];
}

/**
 * Per-second rates worked out from successive totals of the gateway's counters, for the last
 * `keepMs`. The counters only grow, so the difference of two samples is what happened between them.
 */
export class RateHistory {
  readonly #points: RatePoint[] = [];
  #previous: { readonly atMs: number; readonly events: LiveFigures['events'] } | undefined;

  constructor(private readonly keepMs = HISTORY_MS) {}

  /** Adds the interval since the previous sample; the first sample only sets the start. */
  record(atMs: number, figures: LiveFigures): RatePoint | undefined {
    const previous = this.#previous;
    if (previous !== undefined && atMs <= previous.atMs) return undefined;
    this.#previous = { atMs, events: figures.events };
    if (previous === undefined) return undefined;
    const seconds = (atMs - previous.atMs) / 1000;
    const counted = (outcome: EventOutcome) => Math.max(0, figures.events[outcome] - previous.events[outcome]);
    const perSecond = Object.fromEntries(EVENT_OUTCOMES.map((outcome) => [outcome, counted(outcome) / seconds])) as Record<EventOutcome, number>;
    const decided = counted('accepted') + counted('duplicate');
    const point: RatePoint = { atMs, perSecond, duplicateRatio: decided > 0 ? counted('duplicate') / decided : null, latency: figures.latency };
    this.#points.push(point);
    while ((this.#points[0]?.atMs ?? atMs) < atMs - this.keepMs) this.#points.shift();
    return point;
  }

  /** The points after `afterMs` (all of them when undefined), oldest first. */
  since(afterMs?: number): RatePoint[] {
    if (afterMs === undefined) return [...this.#points];
    return this.#points.filter((point) => point.atMs > afterMs);
  }
}
