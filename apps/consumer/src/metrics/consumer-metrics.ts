import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Seconds, from a fraction of a millisecond (a confirm call on a local Redis) up to a minute (the
 * longest CONSUMER_BLOCK_MS a read may wait for new entries).
 */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ConsumerMetricsOptions {
  /** STREAM_SHARDS: each shard's counters are shown at 0 from the start, so rates work before the first event. */
  readonly shards: number;
  /** Also collect prom-client's process metrics (CPU, memory, event loop, GC) on this registry. */
  readonly processMetrics?: boolean;
}

/**
 * The consumer pool's Prometheus metrics, on a registry of their own (not prom-client's global
 * one), so that several pools in one process each count only their own work.
 *
 * The counters count what Redis confirmed: entries acknowledged (XACK's count), claimed (the claim's
 * reply) and moved to the dead letters (the script's answer), never what was only attempted. The
 * histograms time the calls that returned; a failed call is logged, not timed.
 */
export class ConsumerMetrics {
  readonly registry = new Registry();
  readonly #confirmed: Counter<'shard'>;
  readonly #reclaimed: Counter<'shard'>;
  readonly #deadLettered: Counter<'shard'>;
  readonly #redisResets: Counter;
  readonly #readSeconds: Histogram;
  readonly #confirmSeconds: Histogram;

  constructor(options: ConsumerMetricsOptions) {
    const registers = [this.registry];
    this.#confirmed = new Counter({
      name: 'ddup_confirmed_total',
      help: 'Events confirmed (marked processed and acknowledged)',
      labelNames: ['shard'],
      registers,
    });
    this.#reclaimed = new Counter({
      name: 'ddup_reclaimed_total',
      help: 'Pending entries taken over from idle consumers (claimed)',
      labelNames: ['shard'],
      registers,
    });
    this.#deadLettered = new Counter({ name: 'ddup_dead_lettered_total', help: 'Entries moved to the dead letters', labelNames: ['shard'], registers });
    this.#redisResets = new Counter({
      name: 'ddup_redis_resets_total',
      help: 'Times this consumer found Redis reset: the layout records (ddup:meta:*) it had seen were gone (restarted empty, replaced, flushed)',
      registers,
    });
    this.#readSeconds = new Histogram({
      name: 'ddup_read_duration_seconds',
      help: 'Time of one read of the consumer group, including its wait for new entries',
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#confirmSeconds = new Histogram({
      name: 'ddup_confirm_duration_seconds',
      help: 'Time of one confirm script call (one batch of one shard)',
      buckets: DURATION_BUCKETS,
      registers,
    });
    for (let shard = 0; shard < options.shards; shard++) {
      for (const counter of [this.#confirmed, this.#reclaimed, this.#deadLettered]) counter.inc({ shard: String(shard) }, 0);
    }
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Redis came back without ddup's data (see RedisPreflight). */
  countRedisReset(): void {
    this.#redisResets.inc();
  }

  /** `count` entries of `shard` acknowledged as confirmed. A stream that is not an events stream (undefined) is never read by the pool. */
  countConfirmed(shard: number | undefined, count: number): void {
    if (shard !== undefined && count > 0) this.#confirmed.inc({ shard: String(shard) }, count);
  }

  countReclaimed(shard: number | undefined, count: number): void {
    if (shard !== undefined && count > 0) this.#reclaimed.inc({ shard: String(shard) }, count);
  }

  countDeadLettered(shard: number | undefined, count: number): void {
    if (shard !== undefined && count > 0) this.#deadLettered.inc({ shard: String(shard) }, count);
  }

  /** Runs one read of the consumer group and times it. */
  timeRead<T>(call: () => Promise<T>): Promise<T> {
    return timed(this.#readSeconds, call);
  }

  /** Runs one confirm script call and times it. */
  timeConfirm<T>(call: () => Promise<T>): Promise<T> {
    return timed(this.#confirmSeconds, call);
  }
}

async function timed<T>(histogram: Histogram, call: () => Promise<T>): Promise<T> {
  const stop = histogram.startTimer();
  const result = await call();
  stop();
  return result;
}
