import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { durabilityVariables, integerVar, loadConfigOrExit, parseEnv, redisVariables, refineOneRedisTarget } from '@ddup/config';

/** `.data/` at the project root: the embedded Redis keeps its AOF there. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));

const launcherSchema = z.object({
  /** Use this Redis; when unset (and no cluster is given), start an embedded redis-server. */
  REDIS_URL: redisVariables.REDIS_URL,
  /** Use this Redis Cluster (passed on to gateway and consumer as it is). */
  REDIS_CLUSTER_NODES: redisVariables.REDIS_CLUSTER_NODES,
  DDUP_DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
  REDIS_SERVER_BIN: z.string().default('redis-server'),
  /** The gateway's port, also used here to wait for it to be ready. */
  PORT: integerVar({ min: 1, max: 65_535, fallback: 8000 }),
  /** fsync starts the embedded Redis with `appendfsync always`. */
  DURABILITY: durabilityVariables.DURABILITY,
  /** Where redis-server is looked for. */
  PATH: z.string().optional(),
}).superRefine(refineOneRedisTarget);

export type LauncherConfig = z.output<typeof launcherSchema>;

export function parseLauncherConfig(env: Readonly<Record<string, string | undefined>>): LauncherConfig {
  return parseEnv(launcherSchema, env);
}

/** The launcher's settings, from its environment; exits with a message naming a bad variable. */
export function loadLauncherConfig(): LauncherConfig {
  return loadConfigOrExit('ddup', () => parseLauncherConfig(process.env));
}

/** The launcher's whole environment, passed on to gateway and consumer with `overrides` on top. */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
