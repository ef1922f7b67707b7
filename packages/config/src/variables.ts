import { z } from 'zod';
import { CANONICAL_FORMS, type CanonicalForm } from '@ddup/hashing';
import { DEFAULT_INDEX_CAPACITY, MAX_SHARDS } from '@ddup/store';

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

export const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;

/** Variables every ddup process that talks to Redis reads, with the same meaning everywhere. */
export const redisVariables = {
  /** Where Redis is. Required by the gateway and consumer; the launcher starts its own when unset. */
  REDIS_URL: redisUrl.optional(),
  /** Seed nodes of a Redis Cluster (`host:port,host:port` or redis:// URLs); use it instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  /** How long an event hash is remembered, counted from first acceptance (to the second above it). */
  DEDUP_WINDOW_SECONDS: integerVar({ min: 1, max: 10 * 365 * 24 * 60 * 60, fallback: SEVEN_DAYS_SECONDS }),
  /** How many stream shards events spread over. Changing it moves remembered events, so keep it fixed. */
  STREAM_SHARDS: integerVar({ min: 1, max: MAX_SHARDS, fallback: 1 }),
  /**
   * Events the dedup window is expected to hold (peak rate × window). Sizes the index: one bucket
   * per 128 events. Fixed on first start, like STREAM_SHARDS; too low slows admission, too high
   * costs ~170 B per bucket key (~1.3 B per event when buckets are half full).
   */
  INDEX_CAPACITY: integerVar({ min: 1, max: 100_000_000_000, fallback: DEFAULT_INDEX_CAPACITY }),
  /** Which canonical JSON form the dedup hash is taken of. */
  CANONICAL_FORM: z
    .enum(CANONICAL_FORMS as readonly [CanonicalForm, ...CanonicalForm[]], { error: `must be one of ${CANONICAL_FORMS.join(', ')}` })
    .default('python'),
} as const;

export const DURABILITY_MODES = ['memory', 'fsync', 'wait'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];

/** What a 202 waits for; read by the gateway (WAIT) and the launcher (the embedded Redis's fsync policy). */
export const durabilityVariables = {
  /** memory: Redis has it in memory; fsync: on disk (appendfsync always); wait: also on N replicas. */
  DURABILITY: z.enum(DURABILITY_MODES, { error: `must be one of ${DURABILITY_MODES.join(', ')}` }).default('memory'),
  /** With DURABILITY=wait: replicas that must acknowledge an admission before its 202. */
  DURABILITY_WAIT_REPLICAS: integerVar({ min: 1, max: 64, fallback: 1 }),
  /** With DURABILITY=wait: how long to wait for them before answering 503. */
  DURABILITY_WAIT_TIMEOUT_MS: integerVar({ min: 1, max: 60_000, fallback: 1_000 }),
} as const;
