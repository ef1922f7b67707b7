import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SinkBacklog } from '@ddup/store';

/** Seconds of one call of a sink (a webhook request, a JetStream publish, an INSERT): a millisecond to its longest timeout. */
const ATTEMPT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** ddup_sink_breaker_state's values: the breaker's state, or the sink disabled by a 410. */
export const BREAKER_STATE_VALUES = { closed: 0, 'half-open': 1, open: 2, disabled: 3 } as const;
export type SinkRunState = keyof typeof BREAKER_STATE_VALUES;

/** Why an event's attempt or delivery failed, as ddup_sink_failed_total's `reason` label says it. */
export type SinkFailure = 'transient' | 'rejected' | 'gone' | 'exhausted' | 'trimmed';

type SinkLabels = 'sink' | 'type';

/**
 * The sinks' metrics, on the consumer's registry (labels `sink`, `type`). Counters and the
 * histogram count this process's work; the lag and dead-letter gauges are read from Redis at
 * scrape time (`backlog`), so every consumer process shows the same figure for a sink.
 */
export class SinkMetrics {
  readonly #delivered: Counter<SinkLabels>;
  readonly #failed: Counter<SinkLabels | 'reason'>;
  readonly #attemptSeconds: Histogram<SinkLabels>;
  readonly #breaker: Gauge<SinkLabels>;
  readonly #types = new Map<string, string>();

  constructor(registry: Registry, backlog: () => Promise<readonly SinkBacklog[]>) {
    const registers = [registry];
    this.#delivered = new Counter({
      name: 'ddup_sink_delivered_total',
      help: 'Events a sink has taken (acknowledged for it)',
      labelNames: ['sink', 'type'],
      registers,
    });
    this.#failed = new Counter({
      name: 'ddup_sink_failed_total',
      help: 'Failed deliveries: attempts that will be retried (transient), events the sink refused (rejected) or ran out of attempts on (exhausted), 410s (gone), entries trimmed before the sink had them (trimmed)',
      labelNames: ['sink', 'type', 'reason'],
      registers,
    });
    this.#attemptSeconds = new Histogram({
      name: 'ddup_sink_attempt_duration_seconds',
      help: 'Time of one call of a sink (one batch of events)',
      labelNames: ['sink', 'type'],
      buckets: ATTEMPT_BUCKETS,
      registers,
    });
    this.#breaker = new Gauge({
      name: 'ddup_sink_breaker_state',
      help: 'The sink in this process: 0 closed (delivering), 1 half-open (probing), 2 open (paused), 3 disabled (410 Gone)',
      labelNames: ['sink', 'type'],
      registers,
    });
    const types = this.#types;
    new Gauge({
      name: 'ddup_sink_lag',
      help: 'Entries a sink has not acknowledged yet, over every shard: not read yet, or read and being delivered (replays included)',
      labelNames: ['sink', 'type'],
      registers,
      async collect() {
        this.reset();
        for (const each of await backlog()) this.set({ sink: each.sink, type: types.get(each.sink) ?? 'unknown' }, each.lag + each.pending);
      },
    });
    new Gauge({
      name: 'ddup_sink_dead_letters',
      help: 'Entries in a sink’s dead letters (ddup:{sNN}:dead:<sink>), over every shard',
      labelNames: ['sink', 'type'],
      registers,
      async collect() {
        this.reset();
        for (const each of await backlog()) this.set({ sink: each.sink, type: types.get(each.sink) ?? 'unknown' }, each.deadLetters);
      },
    });
  }

  /** A sink started (again): its series are shown at 0 from now on. */
  track(sink: string, type: string): void {
    this.#types.set(sink, type);
    this.#delivered.inc({ sink, type }, 0);
    this.#breaker.set({ sink, type }, BREAKER_STATE_VALUES.closed);
  }

  /** A sink removed from SINKS_FILE: its figures go. */
  untrack(sink: string): void {
    const type = this.#types.get(sink);
    if (type === undefined) return;
    this.#types.delete(sink);
    this.#breaker.remove({ sink, type });
  }

  countDelivered(sink: string, type: string, count: number): void {
    if (count > 0) this.#delivered.inc({ sink, type }, count);
  }

  countFailed(sink: string, type: string, reason: SinkFailure, count: number): void {
    if (count > 0) this.#failed.inc({ sink, type, reason }, count);
  }

  observeAttempt(sink: string, type: string, durationMs: number): void {
    this.#attemptSeconds.observe({ sink, type }, durationMs / 1000);
  }

  setState(sink: string, type: string, state: SinkRunState): void {
    this.#breaker.set({ sink, type }, BREAKER_STATE_VALUES[state]);
  }
}
