import { describeRedisTarget } from '@ddup/config';
import type { RedisConnection, RedisConnectionOptions } from './redis-types.ts';
import { createClusterConnection } from './cluster-connection.ts';
import { createSingleConnection } from './single-connection.ts';

/**
 * A connection set up for a service that must fail fast: commands are rejected at once while
 * disconnected (no offline queue, so a request never hangs waiting for Redis), and replies keep
 * the RESP2 shapes the code is written against.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const connection = options.target.kind === 'cluster' ? createClusterConnection(options.target, options) : createSingleConnection(options.target, options);
  // Connections after a pool's first say it at debug only.
  const level = options.announceReady === false ? 'debug' : 'info';
  connection.onReady(() => options.logger[level]('redis ready', { redis: describeRedisTarget(options.target) }));
  return connection;
}
