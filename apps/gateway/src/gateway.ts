import type { Hono } from 'hono';
import {
  type Logger,
  type RedisConnection,
  type OnRefused,
  logRefusal,
  RedisMemoryWatch,
  createRedisConnection,
  refuseOnLayoutMismatch,
  warnIfShardsMissMasters,
  withCommandTimeout,
} from '@ddup/runtime';
import { Store, indexLayoutOf } from '@ddup/store';
import { type AdmitBatch, createBatchAdmitter } from './admission/batch-admission.ts';
import { limitConcurrency } from './admission/concurrency-limit.ts';
import { warnUnlessFsyncAlways } from './admission/durability-check.ts';
import { type AdmitEvent, createEventAdmitter } from './admission/event-admission.ts';
import { redisHealthCheck } from './admission/redis-health.ts';
import type { AdmissionSettings } from './admission/replication.ts';
import { type GatewayDependencies, createGatewayApp } from './app.ts';
import type { GatewayConfig } from './env.ts';
import { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { registerStoreGauges } from './metrics/store-gauges.ts';
import { StoreSnapshots } from './metrics/store-snapshot.ts';

export interface Gateway {
  readonly app: Hono;
  readonly redis: RedisConnection;
  /** Watches Redis's eviction policy and memory (for /readyz); stop it on shutdown. */
  readonly memory: RedisMemoryWatch;
}

/** What the gateway's entry point decides for it. */
export interface GatewayHooks {
  /**
   * The Redis reached cannot keep the dedup window (it may evict, or its data has another layout):
   * the gateway must not serve on it. main.ts logs and exits 2; the default only logs.
   */
  readonly onRefused?: OnRefused;
}

/** Where the app admits events and how it learns whether its store answers. */
export interface AdmissionPorts {
  readonly admitEvent: AdmitEvent;
  readonly admitBatch: AdmitBatch;
  readonly checkRedis: GatewayDependencies['checkRedis'];
}

/** The Hono app with its settings from `config` and admission through `ports`. */
export function gatewayAppOf(config: GatewayConfig, logger: Logger, ports: AdmissionPorts, metrics = new GatewayMetrics()): Hono {
  return createGatewayApp({
    metrics,
    admitEvent: ports.admitEvent,
    canonicalForm: config.CANONICAL_FORM,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    checkRedis: ports.checkRedis,
    logger,
    batch: {
      admitBatch: ports.admitBatch,
      canonicalForm: config.CANONICAL_FORM,
      bodyLimitBytes: config.BATCH_BODY_LIMIT_BYTES,
      eventLimitBytes: config.BODY_LIMIT_BYTES,
      maxEvents: config.BATCH_MAX_EVENTS,
    },
  });
}

/** Wires the app to its Redis connection (connecting in the background) from validated settings. */
export function createGateway(config: GatewayConfig, logger: Logger, hooks: GatewayHooks = {}): Gateway {
  const redis = createRedisConnection({
    target: config.redis,
    name: 'ddup-gateway',
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  });
  redis.connectInBackground();
  // WAIT may take up to its own timeout on top of the ordinary command time.
  const waitMs = config.DURABILITY === 'wait' ? config.DURABILITY_WAIT_TIMEOUT_MS : 0;
  const commands = withCommandTimeout(redis, config.REDIS_COMMAND_TIMEOUT_MS + waitMs);
  if (config.DURABILITY === 'fsync') redis.onReady(() => void warnUnlessFsyncAlways(commands, logger));
  const store = new Store({
    shardCount: config.STREAM_SHARDS,
    indexCapacity: config.INDEX_CAPACITY,
    windowSeconds: config.DEDUP_WINDOW_SECONDS,
    legacyKeys: config.SEED_LEGACY_KEYS,
  });
  const onRefused: OnRefused = hooks.onRefused ?? logRefusal(logger);
  redis.onReady(() => void refuseOnLayoutMismatch(commands, store, onRefused));
  const memory = new RedisMemoryWatch(redis, commands, logger, { onRefused });
  if (config.redis.kind === 'cluster') redis.onReady(() => void warnIfShardsMissMasters(commands, config.STREAM_SHARDS, logger));
  const admission: AdmissionSettings = {
    ...(config.DURABILITY === 'wait' ? { waitForReplicas: { replicas: config.DURABILITY_WAIT_REPLICAS, timeoutMs: config.DURABILITY_WAIT_TIMEOUT_MS } } : {}),
  };
  const metrics = new GatewayMetrics();
  const snapshots = new StoreSnapshots(commands, {
    layout: indexLayoutOf(config.STREAM_SHARDS, config.INDEX_CAPACITY),
    windowSeconds: config.DEDUP_WINDOW_SECONDS,
  });
  registerStoreGauges(metrics.registry, snapshots);
  const ports: AdmissionPorts = {
    admitEvent: createEventAdmitter(commands, store, admission),
    admitBatch: limitConcurrency(config.BATCH_ADMISSION_CONCURRENCY, createBatchAdmitter(commands, store, admission)),
    checkRedis: redisHealthCheck(redis, memory),
  };
  const app = gatewayAppOf(config, logger, ports, metrics);
  return { app, redis, memory };
}
