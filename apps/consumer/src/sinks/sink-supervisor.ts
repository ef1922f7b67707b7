import { isDeepStrictEqual } from 'node:util';
import type { RedisTarget } from '@ddup/config';
import { type Sink, type SinkConfig, policyFor } from '@ddup/sinks';
import { type SinkBacklog, SinkStreams, inspectSinks } from '@ddup/store';
import { type Logger, type RedisConnection, createRedisConnection, errorText, withCommandTimeout } from '@ddup/runtime';
import type { SinkMetrics } from './sink-metrics.ts';
import { SinkWorker } from './sink-worker.ts';

/** What the sink workers share with the confirm workers' pool (see env.ts for the variables). */
export interface SinkSupervisorSettings {
  readonly redis: RedisTarget;
  readonly shards: number;
  /** The process's consumer name (CONSUMER_NAME-pid): each sink's group knows this process by it. */
  readonly consumerName: string;
  readonly blockMs: number;
  readonly idlePollMs: number;
  readonly commandTimeoutMs: number;
  readonly claimIdleMs: number;
  readonly claimIntervalMs: number;
}

export interface SinkSupervisorHooks {
  /** The adapter of one sink (@ddup/sinks' createSink; tests may give their own). */
  readonly createSink: (config: SinkConfig) => Sink;
  readonly metrics?: SinkMetrics;
}

interface Running {
  readonly config: SinkConfig;
  readonly sink: Sink;
  readonly worker: SinkWorker;
  readonly redis: RedisConnection;
}

/**
 * The sink workers of this consumer process, one per sink of SINKS_FILE. `apply` brings them in
 * line with a (re)read file: added sinks start, removed ones stop, changed ones restart (a sink
 * disabled by a 410 starts again only when changed). Applies run one after another.
 */
export class SinkSupervisor {
  readonly #settings: SinkSupervisorSettings;
  readonly #logger: Logger;
  readonly #hooks: SinkSupervisorHooks;
  readonly #running = new Map<string, Running>();
  /** For the figures (lag, dead letters): a connection that never blocks. */
  readonly #figures: RedisConnection;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(settings: SinkSupervisorSettings, logger: Logger, hooks: SinkSupervisorHooks) {
    this.#settings = settings;
    this.#logger = logger;
    this.#hooks = hooks;
    this.#figures = this.#connect('figures');
  }

  /** The sinks running now, by id. */
  get sinks(): readonly string[] {
    return [...this.#running.keys()];
  }

  /** Starts, stops and restarts workers so that exactly `configs` run. */
  apply(configs: readonly SinkConfig[]): Promise<void> {
    this.#queue = this.#queue.then(() => this.#apply(configs));
    return this.#queue;
  }

  /** Each running sink's lag, pending entries and dead letters (read from Redis); none while Redis cannot say, so a scrape still answers. */
  async backlog(): Promise<SinkBacklog[]> {
    if (!this.#figures.isReady || this.#running.size === 0) return [];
    return inspectSinks(withCommandTimeout(this.#figures, this.#settings.commandTimeoutMs), this.#settings.shards, this.sinks).catch(() => []);
  }

  /** Stops every worker (their entries in hand stay pending) and disconnects. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    return this.apply([]).then(() => this.#figures.close().catch(() => this.#figures.destroy()));
  }

  async #apply(configs: readonly SinkConfig[]): Promise<void> {
    const wanted = new Map(configs.map((config) => [config.id, config]));
    const stopping = [...this.#running.values()].filter((running) => !isDeepStrictEqual(wanted.get(running.config.id), running.config));
    await Promise.all(stopping.map((running) => this.#stop(running, wanted.has(running.config.id) ? 'changed' : 'removed')));
    if (this.#closed) return;
    for (const config of configs) {
      if (!this.#running.has(config.id)) this.#start(config);
    }
  }

  #connect(role: string): RedisConnection {
    const redis = createRedisConnection({
      target: this.#settings.redis,
      name: `ddup-consumer-${this.#settings.consumerName}-sink-${role}`,
      commandTimeoutMs: this.#settings.commandTimeoutMs,
      logger: this.#logger,
      announceReady: false,
      reportOutages: false,
    });
    redis.connectInBackground();
    return redis;
  }

  #start(config: SinkConfig): void {
    const { metrics, createSink } = this.#hooks;
    const settings = this.#settings;
    const sink = createSink(config);
    const logger = this.#logger.child({ sink: config.id });
    const policy = policyFor(config, {
      onBreakerStateChange: (state) => {
        metrics?.setState(config.id, config.type, state);
        logger.warn(`sink breaker ${state}`);
      },
    });
    const redis = this.#connect(config.id);
    const worker = new SinkWorker({
      config,
      sink,
      policy,
      streams: new SinkStreams(config.id, settings.shards),
      redis,
      consumer: settings.consumerName,
      blockMs: settings.blockMs,
      idlePollMs: settings.idlePollMs,
      commandTimeoutMs: settings.commandTimeoutMs,
      claimIdleMs: settings.claimIdleMs,
      claimIntervalMs: settings.claimIntervalMs,
      logger,
      ...(metrics ? { metrics } : {}),
    });
    metrics?.track(config.id, config.type);
    this.#running.set(config.id, { config, sink, worker, redis });
    worker.start();
    logger.info('sink started', { type: config.type, start: config.start, tenants: config.tenants ?? 'all' });
  }

  async #stop(running: Running, why: 'changed' | 'removed'): Promise<void> {
    const { config, worker, sink, redis } = running;
    this.#running.delete(config.id);
    await worker.close();
    await sink.close().catch((error: unknown) => this.#logger.warn('sink did not close cleanly', { sink: config.id, error: errorText(error) }));
    await redis.close().catch(() => redis.destroy());
    this.#hooks.metrics?.untrack(config.id);
    this.#logger.info(why === 'changed' ? 'sink stopped to restart with its new settings' : 'sink stopped', { sink: config.id });
  }
}
