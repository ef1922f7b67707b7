import { ConfigError } from '@ddup/config';
import { metricsServerSettingsOf, metricsUrlOf, parseConsumerConfig } from '@ddup/consumer';
import { parseGatewayConfig } from '@ddup/gateway';
import { type LauncherConfig, parseLauncherConfig, usesEmbeddedRedis } from './env.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Stands in for the embedded Redis's URL while the settings are checked, before that Redis (and
 * so its port and password) exists: the children's schemas only check that it is a redis:// URL.
 */
const EMBEDDED_URL_PLACEHOLDER = 'redis://:password@127.0.0.1:6379';

/**
 * The consumer's metrics port under `pnpm start` when CONSUMER_METRICS_PORT is unset: the gateway's
 * port + 1 (8001 by default), so that launchers on different ports (tests run several at once)
 * never want the same one; none when PORT is 65535.
 */
export function defaultConsumerMetricsPort(port: number): number {
  return port < 65_535 ? port + 1 : 0;
}

/**
 * The environment gateway and consumer get: the launcher's own, with the Redis it chose
 * (`redisUrl`, the embedded one's; undefined leaves REDIS_URL / REDIS_CLUSTER_NODES as they are),
 * the port and the address the gateway listens on, and the consumer's metrics port (the user's,
 * else the default above).
 */
export function childEnvironment(
  env: Env,
  config: Pick<LauncherConfig, 'PORT' | 'HOST' | 'CONSUMER_METRICS_PORT'>,
  redisUrl: string | undefined,
): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    PORT: String(config.PORT),
    HOST: config.HOST,
    CONSUMER_METRICS_PORT: config.CONSUMER_METRICS_PORT ?? String(defaultConsumerMetricsPort(config.PORT)),
  };
}

/** The gateway's settings as the gateway child will read them (already checked by parseSettings). */
export function gatewaySettingsOf(childEnv: Env) {
  return parseGatewayConfig(childEnv);
}

/** Where the consumer child serves its metrics, read by its own schema from the environment it gets; undefined when off. */
export function consumerMetricsUrl(childEnv: Env): string | undefined {
  const listen = metricsServerSettingsOf(parseConsumerConfig(childEnv));
  return listen && metricsUrlOf(listen.host, listen.port);
}

function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/**
 * Every setting of `pnpm start`, checked before anything starts: the launcher's, and the
 * gateway's and the consumer's (their own schemas) against the environment they will be given.
 * Throws one ConfigError naming each bad variable once, even when several schemas read it.
 */
export function parseSettings(env: Env): LauncherConfig {
  let launcher: LauncherConfig | undefined;
  const problems = [
    ...problemsOf(() => {
      launcher = parseLauncherConfig(env);
    }),
  ];
  // With a bad launcher setting the children are checked on the environment as it is.
  const childEnv = launcher ? childEnvironment(env, launcher, usesEmbeddedRedis(launcher) ? EMBEDDED_URL_PLACEHOLDER : undefined) : env;
  problems.push(...problemsOf(() => parseGatewayConfig(childEnv)), ...problemsOf(() => parseConsumerConfig(childEnv)));
  if (problems.length > 0 || !launcher) throw new ConfigError([...new Set(problems)]);
  return launcher;
}
