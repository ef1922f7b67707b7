import type { Hono } from 'hono';
import {
  type Logger,
  type RedisConnection,
  createRedisConnection,
  stopOnShardCountMismatch,
  warnIfShardsMissMasters,
  withCommandTimeout,
} from '@ddup/runtime';
import { type AdmissionSettings, createEventAdmitter } from './admission.ts';
import { createBatchAdmitter } from './batch-admission.ts';
import { limitConcurrency } from './concurrency-limit.ts';
import { createGatewayApp } from './app.ts';
import type { GatewayConfig } from './env.ts';
import { redisHealthCheck } from './redis-health.ts';
import { warnUnlessFsyncAlways } from './durability-check.ts';

export interface Gateway {
  readonly app: Hono;
  readonly redis: RedisConnection;
}

/** Wires the app to its Redis connection (connecting in the background) from validated settings. */
export function createGateway(config: GatewayConfig, logger: Logger): Gateway {
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
  redis.onReady(() => void stopOnShardCountMismatch(commands, config.STREAM_SHARDS, logger));
  if (config.redis.kind === 'cluster') redis.onReady(() => void warnIfShardsMissMasters(commands, config.STREAM_SHARDS, logger));
  const admission: AdmissionSettings = {
    windowSeconds: config.DEDUP_WINDOW_SECONDS,
    shardCount: config.STREAM_SHARDS,
    ...(config.DURABILITY === 'wait'
      ? { waitForReplicas: { replicas: config.DURABILITY_WAIT_REPLICAS, timeoutMs: config.DURABILITY_WAIT_TIMEOUT_MS } }
      : {}),
  };
  const app = createGatewayApp({
    admitEvent: createEventAdmitter(commands, admission),
    canonicalForm: config.CANONICAL_FORM,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    checkRedis: redisHealthCheck(redis, commands),
    logger,
    batch: {
      admitBatch: limitConcurrency(config.BATCH_ADMISSION_CONCURRENCY, createBatchAdmitter(commands, admission)),
      canonicalForm: config.CANONICAL_FORM,
      bodyLimitBytes: config.BATCH_BODY_LIMIT_BYTES,
      eventLimitBytes: config.BODY_LIMIT_BYTES,
      maxEvents: config.BATCH_MAX_EVENTS,
    },
  });
  return { app, redis };
}
