export { ConfigError, loadConfigOrExit, parseEnv } from './parse-env.ts';
export {
  DURABILITY_MODES,
  SEVEN_DAYS_SECONDS,
  booleanVar,
  durabilityVariables,
  integerVar,
  redisVariables,
  type Durability,
} from './variables.ts';
