export { ConfigError, parseEnv, parseOrExplain } from './parse-env.ts';
export { parseJsonFile, readSettingsFile, type JsonFileRules } from './json-file.ts';
export {
  DURABILITY_MODES,
  booleanVar,
  durabilityVariables,
  enumVar,
  integerVar,
  logVariables,
  redisVariables,
  type Durability,
} from './variables.ts';
export {
  DEFAULT_REDIS_URL,
  describeRedisTarget,
  redactUrl,
  redisTargetOf,
  refineOneRedisTarget,
  type RedisTarget,
  type RedisTargetSettings,
} from './redis-target.ts';
