import { z } from 'zod';
import { enumVar, parseEnv, parseOrExplain, redisVariables, refineOneRedisTarget } from '@ddup/config';
import { CANONICAL_FORMS } from '@ddup/gateway';
import { layoutVariables } from '@ddup/store';
import { TenantDirectory } from '@ddup/tenants';
import { DEFAULT_DATA_DIR } from '../env.ts';

const cliSchema = z
  .object({
    REDIS_URL: redisVariables.REDIS_URL,
    REDIS_CLUSTER_NODES: redisVariables.REDIS_CLUSTER_NODES,
    ...layoutVariables,
    /** For `lookup --event`: the canonical form the gateway hashes with. */
    CANONICAL_FORM: enumVar(CANONICAL_FORMS, 'python'),
    DDUP_DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
    /** The gateway's tenants file: each tenant's window, key fields and form for `--tenant`, and their spaces for `inspect`. */
    TENANTS_FILE: z.string().optional(),
  })
  .superRefine(refineOneRedisTarget);

export type CliSettings = z.output<typeof cliSchema> & {
  /** Whether STREAM_SHARDS / INDEX_CAPACITY were given, rather than defaults (the recorded layout wins over a default). */
  readonly layoutGiven: { readonly shards: boolean; readonly capacity: boolean };
  /** The tenants of TENANTS_FILE, read (and checked) now; undefined without it. */
  readonly tenants: TenantDirectory | undefined;
};

export function parseCliSettings(env: Readonly<Record<string, string | undefined>>): CliSettings {
  const given = (name: string) => (env[name] ?? '').trim() !== '';
  const settings = parseEnv(cliSchema, env);
  const tenants = settings.TENANTS_FILE === undefined ? undefined : new TenantDirectory(settings.TENANTS_FILE);
  return { ...settings, layoutGiven: { shards: given('STREAM_SHARDS'), capacity: given('INDEX_CAPACITY') }, tenants };
}

/** The CLI's settings from this process's environment, or the message main prints before it exits 2. */
export function loadCliSettings() {
  return parseOrExplain('ddup', () => parseCliSettings(process.env));
}
