/**
 * The benchmark's environment. As in the apps (each reads its own in env.ts), this is the one
 * module of the benchmark process that reads process.env; settings are parsed from it elsewhere.
 */
import { fileURLToPath } from 'node:url';

export type Environment = Readonly<Record<string, string | undefined>>;

export function benchEnvironment(): Environment {
  return process.env;
}

/** The redis-server executable the benchmark starts (REDIS_SERVER_BIN, as for the launcher). */
export function redisServerBin(env: Environment = benchEnvironment()): string {
  return env.REDIS_SERVER_BIN?.trim() || 'redis-server';
}

/** Where results are written: BENCH_RESULTS_DIR, default bench/results. */
export function resultsDir(env: Environment = benchEnvironment()): string {
  return env.BENCH_RESULTS_DIR?.trim() || fileURLToPath(new URL('../../results/', import.meta.url));
}
