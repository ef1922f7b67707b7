import { CONSUMER_GROUP, Store, StreamGroup } from '@ddup/store';
import { type OnRefused, RedisPreflight, logRefusal } from '@ddup/redis-checks';
import { type Logger, type RedisConnection, createRedisConnection, withCommandTimeout } from '@ddup/runtime';
import type { RedisTarget } from '@ddup/config';
import { confirmHandler } from './confirm.ts';
import type { ConsumerMetrics } from './metrics/consumer-metrics.ts';
import { StreamConsumer } from './stream-consumer.ts';
import type { TenantRules } from './tenant-rules.ts';

/** What a pool needs, in the names of its parts (the entry point maps the environment to it: see env.ts). */
export interface ConsumerPoolSettings {
  readonly redis: RedisTarget;
  /** STREAM_SHARDS, INDEX_CAPACITY, DEDUP_WINDOW_SECONDS: how the data is laid out. */
  readonly shards: number;
  readonly indexCapacity: number;
  readonly windowSeconds: number;
  /** Consumers in the pool, each on its own connection. */
  readonly concurrency: number;
  readonly batchSize: number;
  readonly blockMs: number;
  readonly idlePollMs: number;
  readonly lingerMs: number;
  /** Prefix of consumer names; the pid and index are appended. */
  readonly consumerName: string;
  readonly commandTimeoutMs: number;
  readonly claimIdleMs: number;
  readonly claimIntervalMs: number;
  readonly maxDeliveries: number;
  readonly retentionSeconds: number;
  readonly trimIntervalMs: number;
  /** SINK_MAX_BACKLOG_SECONDS: how far back a sink's group may hold trimming (none: as far as it likes). */
  readonly sinkMaxBacklogSeconds?: number;
  /** ALLOW_REDIS_RESET: go on (logged, counted) when Redis comes back without ddup's data, instead of holding. */
  readonly allowRedisReset?: boolean;
}

/** What the consumer's entry point decides for the pool. */
export interface ConsumerPoolHooks {
  /** The Redis reached cannot keep the dedup window (it may evict, or its data has another layout): main.ts logs and exits 2; the default only logs. */
  readonly onRefused?: OnRefused;
  /** Where the consumers count and time their work (main.ts serves it on CONSUMER_METRICS_PORT); none: not measured. */
  readonly metrics?: ConsumerMetrics;
  /** The tenants' rules now in force (main.ts reads TENANTS_FILE, and again on SIGHUP); none: no tenants. */
  readonly tenantRules?: () => TenantRules;
}

/** N consumers of the `ddup-workers` group, each on its own connection. */
export class ConsumerPool {
  readonly consumers: readonly StreamConsumer[];
  readonly #connections: readonly RedisConnection[];
  readonly #group: StreamGroup;
  readonly #logger: Logger;
  readonly #preflight: RedisPreflight | undefined;
  #closing: Promise<void> | undefined;
  #started: Promise<void> = Promise.resolve();

  /** The first consumer's connection: the one whose outages are reported, and whose start-up an entry point may bound. */
  get connection(): RedisConnection {
    const first = this.#connections[0];
    if (first === undefined) throw new Error('a consumer pool has at least one connection');
    return first;
  }

  private constructor(consumers: StreamConsumer[], connections: RedisConnection[], group: StreamGroup, logger: Logger, preflight: RedisPreflight | undefined) {
    this.consumers = consumers;
    this.#preflight = preflight;
    this.#connections = connections;
    this.#group = group;
    this.#logger = logger;
  }

  /** Connects (retrying in the background while Redis is away) and starts every consumer once Redis has passed the preflight. */
  static start(settings: ConsumerPoolSettings, logger: Logger, hooks: ConsumerPoolHooks = {}): ConsumerPool {
    const group = StreamGroup.ofEvents(CONSUMER_GROUP, settings.shards);
    const store = new Store({
      shardCount: settings.shards,
      indexCapacity: settings.indexCapacity,
      windowSeconds: settings.windowSeconds,
    });
    const connections: RedisConnection[] = [];
    const consumers: StreamConsumer[] = [];
    let preflight: RedisPreflight | undefined;
    const { metrics, tenantRules } = hooks;
    const handler = confirmHandler({ store, windowMs: settings.windowSeconds * 1000, metrics, ...(tenantRules ? { tenantRules } : {}) });
    for (let index = 0; index < settings.concurrency; index++) {
      const name = `${settings.consumerName}-${process.pid}-${index}`;
      const redis = createRedisConnection({
        target: settings.redis,
        name: `ddup-consumer-${name}`,
        commandTimeoutMs: settings.commandTimeoutMs,
        logger,
        // One "redis ready" and one outage line for the pool, not one per consumer.
        announceReady: index === 0,
        reportOutages: index === 0,
      });
      redis.connectInBackground();
      if (index === 0) {
        const onRefused: OnRefused = hooks.onRefused ?? logRefusal(logger);
        preflight = new RedisPreflight(redis, withCommandTimeout(redis, settings.commandTimeoutMs), store, logger, {
          onRefused,
          allowReset: settings.allowRedisReset ?? false,
          onReset: () => metrics?.countRedisReset(),
        });
      }
      connections.push(redis);
      consumers.push(
        new StreamConsumer({
          redis,
          name,
          group,
          batchSize: settings.batchSize,
          blockMs: settings.blockMs,
          idlePollMs: settings.idlePollMs,
          lingerMs: settings.lingerMs,
          commandTimeoutMs: settings.commandTimeoutMs,
          handler,
          reclaim: {
            minIdleMs: settings.claimIdleMs,
            intervalMs: settings.claimIntervalMs,
            maxDeliveries: settings.maxDeliveries,
            count: settings.batchSize,
            metrics,
          },
          retention: {
            retentionMs: settings.retentionSeconds * 1000,
            intervalMs: settings.trimIntervalMs,
            ...(settings.sinkMaxBacklogSeconds === undefined ? {} : { sinkHoldMs: settings.sinkMaxBacklogSeconds * 1000 }),
          },
          logger: logger.child({ consumer: name }),
          metrics,
          // A group gone with its stream may be a Redis that lost ddup's data: not recreated until that is accepted.
          beforeGroupCreate: async () => preflight?.ensureNotReset(),
        }),
      );
    }
    const pool = new ConsumerPool(consumers, connections, group, logger, preflight);
    // Reading creates the consumer group: nothing is written before the first check has passed.
    pool.#started = (preflight?.passed ?? Promise.resolve()).then(() => pool.#startConsumers());
    return pool;
  }

  /** Resolves once Redis has passed the preflight and the consumers started (never, when it refuses this Redis). */
  get started(): Promise<void> {
    return this.#started;
  }

  #startConsumers(): void {
    if (this.#closing) return;
    for (const consumer of this.consumers) consumer.start();
  }

  get confirmed(): number {
    return this.consumers.reduce((sum, consumer) => sum + consumer.confirmed, 0);
  }

  get deadLettered(): number {
    return this.consumers.reduce((sum, consumer) => sum + consumer.deadLettered, 0);
  }

  /** Stops reading, lets every batch in hand finish and be acknowledged, then disconnects. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#preflight?.stop();
      await Promise.all(this.consumers.map((consumer) => consumer.close()));
      await Promise.all(
        this.consumers.map(async (consumer, index) => {
          const redis = this.#connections[index];
          if (!redis) return;
          // Removed where it owns nothing pending, so XINFO stays tidy across restarts.
          await this.#group.deleteIdleConsumer(redis, consumer.name).catch(() => undefined);
          await redis.close().catch(() => redis.destroy());
        }),
      );
      this.#logger.info('consumer pool stopped', { confirmed: this.confirmed });
    })();
    return this.#closing;
  }
}
