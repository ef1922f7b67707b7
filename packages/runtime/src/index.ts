export { createLogger, errorText, rateLimited, rateLimitedWarning, writesPretty, type LogFormat, type LogLevel, type Logger } from './log.ts';
export { createRedisConnection } from './redis-connection.ts';
export type { PinnedSender, RedisCommands, RedisConnection, RedisConnectionOptions } from './redis-types.ts';
export { reconnectDelayMs } from './reconnect.ts';
export { routingKeyOf } from './routing-key.ts';
export { isClusterTransitionReply, isConnectionError } from './redis-errors.ts';
export { exitStatusOnShutdown } from './shutdown.ts';
export { CommandTimeoutError, withCommandTimeout, withTimeout } from './command-timeout.ts';
export { shardSpread, warnIfShardsMissMasters } from './shard-spread.ts';
export { type PreflightOptions, RedisNotCheckedError, RedisPreflight, RedisResetError } from './preflight.ts';
export { logRefusal, type OnRefused, type Refusal } from './refusal.ts';
export {
  type RedisMemoryProblem,
  type RedisMemoryState,
  evictionProblemOf,
  memoryProblemOf,
  outOfMemoryProblemOf,
  parseMemoryInfo,
  readMemoryStates,
} from './memory-state.ts';
export { type MemoryWatchOptions, RedisMemoryWatch } from './memory-watch.ts';
export { OUTAGE_REPORT_INTERVAL_MS, onNotReadyWithin } from './outage-report.ts';
