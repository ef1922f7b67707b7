export { createLogger, rateLimited, type LogLevel, type Logger } from './log.ts';
export {
  connectInBackground,
  createRedisConnection,
  reconnectDelayMs,
  redactUrl,
  type RedisConnection,
  type RedisConnectionOptions,
} from './redis-connection.ts';
export { onShutdownSignal } from './shutdown.ts';
export { CommandTimeoutError, withCommandTimeout, withTimeout } from './command-timeout.ts';
export { checkShardCount, shardCountMismatch, stopOnShardCountMismatch } from './shard-count-guard.ts';
