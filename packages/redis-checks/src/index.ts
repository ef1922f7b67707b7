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
export { shardSpread, warnIfShardsMissMasters } from './shard-spread.ts';
