import { z } from 'zod';

/** A whole number in [min, max], written in decimal; `fallback` when unset. */
export function integerVar(options: { min: number; max: number; fallback: number }) {
  const { min, max, fallback } = options;
  return z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .default(fallback);
}

/** `true`/`false` (also 1/0, yes/no). */
export function booleanVar(fallback: boolean) {
  return z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1' || value === 'yes')
    .default(fallback);
}

const redisUrl = z.string().refine((value) => /^rediss?:\/\/[^/\s]+/.test(value) && URL.canParse(value), {
  error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
});

/** `host:port` or a redis:// URL per seed node, comma-separated; each becomes a URL. */
const clusterNodes = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((node) => node.trim())
      .filter((node) => node !== ''),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .transform((node) => (/^rediss?:\/\//.test(node) ? node : `redis://${node}`))
          .pipe(redisUrl),
        {},
      )
      .min(1, { error: 'must list at least one node, e.g. 10.0.0.1:7000,10.0.0.2:7000' }),
  );

/** One of `values`; `fallback` when unset. */
export function enumVar<const T extends string>(values: readonly [T, ...T[]], fallback: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` }).default(fallback);
}

/** Where Redis is: the variables every ddup process that talks to Redis reads, with the same meaning everywhere. */
export const redisVariables = {
  /** Where Redis is. Required by the gateway and consumer; the launcher starts its own when unset. */
  REDIS_URL: redisUrl.optional(),
  /** Seed nodes of a Redis Cluster (`host:port,host:port` or redis:// URLs); use it instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  /** At start-up: a Redis that has not answered within this many ms stops the process (exit 2) naming it; 0: wait for ever. */
  REDIS_CONNECT_TIMEOUT_MS: integerVar({ min: 0, max: 86_400_000, fallback: 0 }),
} as const;

export const DURABILITY_MODES = ['memory', 'fsync', 'wait'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

/** What a 202 waits for; read by the gateway (WAIT) and the launcher (the embedded Redis's fsync policy). */
export const durabilityVariables = {
  /** memory: Redis has it in memory; fsync: on disk (appendfsync always); wait: also on N replicas. */
  DURABILITY: enumVar(DURABILITY_MODES, 'memory'),
  /** With DURABILITY=wait: replicas that must acknowledge an admission before its 202. */
  DURABILITY_WAIT_REPLICAS: integerVar({ min: 1, max: 64, fallback: 1 }),
  /** With DURABILITY=wait: how long to wait for them before answering 503. */
  DURABILITY_WAIT_TIMEOUT_MS: integerVar({ min: 1, max: 60_000, fallback: 1_000 }),
} as const;

/** How a ddup process logs: read by the launcher, the gateway and the consumer alike. */
export const logVariables = {
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { error: 'must be debug, info, warn or error' }).default('info'),
  /** `auto`: readable lines on a terminal, JSON lines otherwise; `json` or `pretty` to choose. */
  LOG_FORMAT: enumVar(['auto', 'json', 'pretty'], 'auto'),
} as const;
