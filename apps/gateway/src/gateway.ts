import type { Hono } from 'hono';
import {
  type Logger,
  type RedisConnection,
  connectInBackground,
  createRedisConnection,
  withCommandTimeout,
} from '@ddup/runtime';
import { createEventAdmitter } from './admission.ts';
import { createGatewayApp } from './app.ts';
import type { GatewayConfig } from './env.ts';
import { redisHealthCheck } from './redis-health.ts';

export interface Gateway {
  readonly app: Hono;
  readonly redis: RedisConnection;
}

/** Wires the app to its Redis connection (connecting in the background) from validated settings. */
export function createGateway(config: GatewayConfig, logger: Logger): Gateway {
  const redis = createRedisConnection({
    url: config.REDIS_URL,
    name: 'ddup-gateway',
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  });
  connectInBackground(redis, logger);
  const commands = withCommandTimeout(redis, config.REDIS_COMMAND_TIMEOUT_MS);
  const app = createGatewayApp({
    admitEvent: createEventAdmitter(commands, {
      windowSeconds: config.DEDUP_WINDOW_SECONDS,
      shardCount: config.STREAM_SHARDS,
    }),
    canonicalForm: config.CANONICAL_FORM,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    checkRedis: redisHealthCheck(redis, commands),
    logger,
  });
  return { app, redis };
}
