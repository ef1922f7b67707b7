import { z } from 'zod';
import { enumVar, parseEnv, parseOrExplain, redisVariables, refineOneRedisTarget } from '@ddup/config';
import { CANONICAL_FORMS } from '@ddup/gateway';
import { layoutVariables } from '@ddup/store';
import { DEFAULT_DATA_DIR } from '../env.ts';

const cliSchema = z
  .object({
    REDIS_URL: redisVariables.REDIS_URL,
    REDIS_CLUSTER_NODES: redisVariables.REDIS_CLUSTER_NODES,
    ...layoutVariables,
    /** For `lookup --event`: the canonical form the gateway hashes with. */
    CANONICAL_FORM: enumVar(CANONICAL_FORMS, 'python'),
    DDUP_DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
  })
  .superRefine(refineOneRedisTarget);

export type CliSettings = z.output<typeof cliSchema> & {
  /** Whether STREAM_SHARDS / INDEX_CAPACITY were given, rather than defaults (the recorded layout wins over a default). */
  readonly layoutGiven: { readonly shards: boolean; readonly capacity: boolean };
};

export function parseCliSettings(env: Readonly<Record<string, string | undefined>>): CliSettings {
  const given = (name: string) => (env[name] ?? '').trim() !== '';
  return { ...parseEnv(cliSchema, env), layoutGiven: { shards: given('STREAM_SHARDS'), capacity: given('INDEX_CAPACITY') } };
}

/** The CLI's settings from this process's environment, or the message main prints before it exits 2. */
export function loadCliSettings() {
  return parseOrExplain('ddup', () => parseCliSettings(process.env));
}
