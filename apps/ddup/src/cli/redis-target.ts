import { type RedisTarget, redisTargetOf } from '@ddup/config';
import { readEmbeddedUrl } from '../embedded-url.ts';
import type { CliSettings } from './cli-env.ts';

/** No Redis was named, and no `pnpm start` runs with an embedded one. */
export class NoRedisError extends Error {
  override readonly name = 'NoRedisError';
}

/**
 * Where the CLI finds Redis: REDIS_CLUSTER_NODES or REDIS_URL, else the embedded Redis of a
 * running `pnpm start` (its port in DDUP_DATA_DIR/redis/url, its password beside it).
 */
export function cliRedisTarget(settings: CliSettings): RedisTarget {
  if (settings.REDIS_URL !== undefined || settings.REDIS_CLUSTER_NODES !== undefined) return redisTargetOf(settings);
  let embedded: string | undefined;
  try {
    embedded = readEmbeddedUrl(settings.DDUP_DATA_DIR);
  } catch (error) {
    throw new NoRedisError(error instanceof Error ? error.message : String(error));
  }
  if (embedded === undefined) {
    throw new NoRedisError(`no REDIS_URL or REDIS_CLUSTER_NODES, and no running embedded Redis under ${settings.DDUP_DATA_DIR} (start it with \`pnpm start\`)`);
  }
  return redisTargetOf({ REDIS_URL: embedded });
}
