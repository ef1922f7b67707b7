import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { durabilityVariables, enumVar, integerVar, logVariables, parseEnv, redisVariables, refineOneRedisTarget } from '@ddup/config';
import { memorySizeVar } from './memory-size.ts';

/** `.data/` at the project root: the embedded Redis keeps its AOF there. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../.data', import.meta.url));

/** Where the gateway listens under `pnpm start` unless HOST says otherwise: this machine only. */
export const DEFAULT_HOST = '127.0.0.1';

const launcherSchema = z
  .object({
    /** Use this Redis; when unset (and no cluster is given), start an embedded redis-server. */
    REDIS_URL: redisVariables.REDIS_URL,
    /** Use this Redis Cluster (passed on to gateway and consumer as it is). */
    REDIS_CLUSTER_NODES: redisVariables.REDIS_CLUSTER_NODES,
    DDUP_DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
    REDIS_SERVER_BIN: z.string().default('redis-server'),
    /** `maxmemory` of the embedded Redis (which always runs with `maxmemory-policy noeviction`); 0: no limit. */
    REDIS_MAXMEMORY: memorySizeVar(0),
    /** The gateway's port, also used here to wait for it to be ready. */
    PORT: integerVar({ min: 1, max: 65_535, fallback: 8000 }),
    /** The gateway's address: loopback unless set (the gateway has no authentication of its own). */
    HOST: z.string().default(DEFAULT_HOST),
    /**
     * The consumer's metrics port, passed on as it is; when unset the launcher gives it PORT + 1
     * (settings.ts). The consumer's schema checks the value.
     */
    CONSUMER_METRICS_PORT: z.string().optional(),
    /** What the gateway runs on: `node` (apps/gateway/src/main.ts) or `bun` (main-bun.ts), with the same settings. */
    GATEWAY_RUNTIME: enumVar(['node', 'bun'], 'node'),
    /** With GATEWAY_RUNTIME=bun: the bun executable; unset: `bun` on PATH, else the one installed from npm with the gateway. */
    BUN_BIN: z.string().optional(),
    /** A gateway or consumer that dies is restarted, at most this many times within a minute (0: never). */
    CHILD_MAX_RESTARTS_PER_MINUTE: integerVar({ min: 0, max: 100, fallback: 5 }),
    ...logVariables,
    /** fsync starts the embedded Redis with `appendfsync always`. */
    DURABILITY: durabilityVariables.DURABILITY,
    /** Where redis-server is looked for. */
    PATH: z.string().optional(),
  })
  .superRefine(refineOneRedisTarget);

export type LauncherConfig = z.output<typeof launcherSchema>;

export function parseLauncherConfig(env: Readonly<Record<string, string | undefined>>): LauncherConfig {
  return parseEnv(launcherSchema, env);
}

/** True when the launcher starts and owns a redis-server of its own. */
export function usesEmbeddedRedis(config: LauncherConfig): boolean {
  return config.REDIS_URL === undefined && config.REDIS_CLUSTER_NODES === undefined;
}
