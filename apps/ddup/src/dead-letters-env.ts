import { z } from 'zod';
import { integerVar, parseOrExplain, parseEnv, redisVariables, refineOneRedisTarget } from '@ddup/config';
import { layoutVariables } from '@ddup/store';
import { DEFAULT_DATA_DIR } from './env.ts';

const deadLettersSchema = z
  .object({
    REDIS_URL: redisVariables.REDIS_URL,
    REDIS_CLUSTER_NODES: redisVariables.REDIS_CLUSTER_NODES,
    ...layoutVariables,
    DDUP_DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
    /** From `--count`: dead letters read per shard. */
    DEAD_LETTER_COUNT: integerVar({ min: 1, max: 1_000_000, fallback: 100 }),
  })
  .superRefine(refineOneRedisTarget);

export type DeadLettersConfig = z.output<typeof deadLettersSchema>;

/** The dead-letters tool's settings: its environment, with `--count` as DEAD_LETTER_COUNT. */
export function loadDeadLettersConfig(count: string | undefined) {
  return parseOrExplain('ddup dead-letters', () => parseEnv(deadLettersSchema, { ...process.env, DEAD_LETTER_COUNT: count }));
}
