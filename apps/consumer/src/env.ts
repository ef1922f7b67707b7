import { hostname } from 'node:os';
import { z } from 'zod';
import { layoutVariables, redisResetVariables } from '@ddup/store';
import type { ConsumerPoolSettings } from './consumer-pool.ts';
import type { MetricsServerSettings } from './metrics/metrics-server.ts';
import type { SinkSupervisorSettings } from './sinks/sink-supervisor.ts';
import { type RedisTarget, integerVar, parseOrExplain, parseEnv, redisTargetOf, redisVariables, refineOneRedisTarget, logVariables } from '@ddup/config';

const consumerSchema = z
  .object({
    ...redisVariables,
    ...layoutVariables,
    ...redisResetVariables,
    /** Consumers in this process's pool; each has its own connection for the blocking read. */
    CONSUMER_CONCURRENCY: integerVar({ min: 1, max: 256, fallback: 4 }),
    /** Entries one group read may return per stream. */
    CONSUMER_BATCH_SIZE: integerVar({ min: 1, max: 100_000, fallback: 1_000 }),
    /** How long one group read waits for new entries; also bounds how long a stop waits. */
    CONSUMER_BLOCK_MS: integerVar({ min: 1, max: 60_000, fallback: 1_000 }),
    /** On Redis Cluster (no blocking read across shards): the pause after a round that found every shard empty. */
    CONSUMER_IDLE_POLL_MS: integerVar({ min: 1, max: 10_000, fallback: 20 }),
    /**
     * After a read that found fewer entries than a batch, wait this long before the next (0: read at
     * once). Confirmation lags by up to this much; in exchange, under steady load each read and
     * confirm call covers many entries instead of one or two, which saves CPU in Redis and here.
     */
    CONSUMER_LINGER_MS: integerVar({ min: 0, max: 10_000, fallback: 10 }),
    /** Prefix of consumer names in the group; the pid and index are appended. */
    CONSUMER_NAME: z
      .string()
      .regex(/^[\w.-]+$/, { error: 'may hold letters, digits, _ . - only' })
      .default(hostname().replace(/[^\w.-]/g, '_') || 'consumer'),
    /** A pending entry idle this long is taken over from its consumer (presumed crashed). */
    CONSUMER_CLAIM_IDLE_MS: integerVar({ min: 100, max: 24 * 3600 * 1000, fallback: 30_000 }),
    /** How often each consumer looks for such entries. */
    CONSUMER_CLAIM_INTERVAL_MS: integerVar({ min: 50, max: 3600 * 1000, fallback: 5_000 }),
    /** Deliveries after which an entry that still is not confirmed goes to the dead letters. */
    CONSUMER_MAX_DELIVERIES: integerVar({ min: 1, max: 1_000, fallback: 5 }),
    /**
     * Entries older than this that every consumer group on the stream has acknowledged are trimmed
     * (0: trim all acknowledged). An hour: the stream is a hand-off, not an archive (a day at 1,000
     * events/s would be ~25 GB, more than a 7-day index), and no group loses unread entries to it.
     */
    STREAM_RETENTION_SECONDS: integerVar({ min: 0, max: 10 * 365 * 24 * 3600, fallback: 3600 }),
    /** How often each consumer trims. */
    STREAM_TRIM_INTERVAL_MS: integerVar({ min: 50, max: 24 * 3600 * 1000, fallback: 60_000 }),
    /**
     * Port of the Prometheus endpoint (`GET /metrics`); 0: none. Unset here means none; the
     * launcher sets one (PORT + 1) unless told otherwise.
     */
    CONSUMER_METRICS_PORT: integerVar({ min: 0, max: 65_535, fallback: 0 }),
    /** Its address: this machine only unless set (metrics are for operators, not the public). */
    CONSUMER_METRICS_HOST: z.string().default('127.0.0.1'),
    REDIS_COMMAND_TIMEOUT_MS: integerVar({ min: 50, max: 60_000, fallback: 5_000 }),
    /** The tenants (see docs/tenants.md): the consumer reads each one's window and refresh_on_duplicate. */
    TENANTS_FILE: z.string().optional(),
    /** Where to deliver events (see docs/sinks.md): each sink gets a worker in this process, reread on SIGHUP. */
    SINKS_FILE: z.string().optional(),
    /**
     * How far back a sink's consumer group may hold the events streams: entries older than this are
     * trimmed even when a sink (down, disabled by a 410, removed from SINKS_FILE) has not taken them,
     * so one dead sink cannot grow Redis without bound. Six hours: ~6 GB of stream at 1,000 events/s.
     */
    SINK_MAX_BACKLOG_SECONDS: integerVar({ min: 1, max: 10 * 365 * 24 * 3600, fallback: 6 * 3600 }),
    ...logVariables,
  })
  .superRefine(refineOneRedisTarget);

/** The consumer pool's settings, read from the environment once at start-up. */
export type ConsumerConfig = z.output<typeof consumerSchema> & {
  /** REDIS_CLUSTER_NODES, else REDIS_URL, else redis://127.0.0.1:6379. */
  readonly redis: RedisTarget;
};

export function parseConsumerConfig(env: Readonly<Record<string, string | undefined>>): ConsumerConfig {
  const config = parseEnv(consumerSchema, env);
  return { ...config, redis: redisTargetOf(config) };
}

/** The pool's settings from this process's environment, or the message an entry point prints before it exits 2. */
export function loadConsumerConfig() {
  return parseOrExplain('ddup-consumer', () => parseConsumerConfig(process.env));
}

/** The pool's settings from the process's parsed environment: the one place UPPER_CASE names are read. */
export function consumerPoolSettingsOf(config: ConsumerConfig): ConsumerPoolSettings {
  return {
    redis: config.redis,
    shards: config.STREAM_SHARDS,
    indexCapacity: config.INDEX_CAPACITY,
    windowSeconds: config.DEDUP_WINDOW_SECONDS,
    concurrency: config.CONSUMER_CONCURRENCY,
    batchSize: config.CONSUMER_BATCH_SIZE,
    blockMs: config.CONSUMER_BLOCK_MS,
    idlePollMs: config.CONSUMER_IDLE_POLL_MS,
    lingerMs: config.CONSUMER_LINGER_MS,
    consumerName: config.CONSUMER_NAME,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    claimIdleMs: config.CONSUMER_CLAIM_IDLE_MS,
    claimIntervalMs: config.CONSUMER_CLAIM_INTERVAL_MS,
    maxDeliveries: config.CONSUMER_MAX_DELIVERIES,
    retentionSeconds: config.STREAM_RETENTION_SECONDS,
    trimIntervalMs: config.STREAM_TRIM_INTERVAL_MS,
    sinkMaxBacklogSeconds: config.SINK_MAX_BACKLOG_SECONDS,
    allowRedisReset: config.ALLOW_REDIS_RESET,
  };
}

/** What the sink workers share with the pool: the Redis, the shards, the consumer's name and its timings. */
export function sinkSupervisorSettingsOf(config: ConsumerConfig): SinkSupervisorSettings {
  return {
    redis: config.redis,
    shards: config.STREAM_SHARDS,
    consumerName: `${config.CONSUMER_NAME}-${process.pid}`,
    blockMs: config.CONSUMER_BLOCK_MS,
    idlePollMs: config.CONSUMER_IDLE_POLL_MS,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    claimIdleMs: config.CONSUMER_CLAIM_IDLE_MS,
    claimIntervalMs: config.CONSUMER_CLAIM_INTERVAL_MS,
  };
}

/** Where to serve the pool's metrics, or undefined when CONSUMER_METRICS_PORT is 0 (or unset). */
export function metricsServerSettingsOf(config: ConsumerConfig): MetricsServerSettings | undefined {
  return config.CONSUMER_METRICS_PORT === 0 ? undefined : { host: config.CONSUMER_METRICS_HOST, port: config.CONSUMER_METRICS_PORT };
}
