export { ConfigError, loadConfigOrExit, parseEnv } from './parse-env.ts';
export { SEVEN_DAYS_SECONDS, booleanVar, integerVar, redisVariables } from './variables.ts';
