import type { z } from 'zod';

/** Where a process finds Redis: one server, or a Redis Cluster reached through seed nodes. */
export type RedisTarget = { readonly kind: 'single'; readonly url: string } | { readonly kind: 'cluster'; readonly nodes: readonly string[] };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The two settings a target is made of, as the schemas parse them. */
export interface RedisTargetSettings {
  readonly REDIS_URL?: string | undefined;
  readonly REDIS_CLUSTER_NODES?: readonly string[] | undefined;
}

/** REDIS_URL and REDIS_CLUSTER_NODES name two different deployments; both set is a mistake worth stopping for. */
export function refineOneRedisTarget(settings: RedisTargetSettings, context: z.RefinementCtx): void {
  if (settings.REDIS_URL !== undefined && settings.REDIS_CLUSTER_NODES !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['REDIS_CLUSTER_NODES'],
      message: 'set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
    });
  }
}

/** The cluster when seed nodes are given, else REDIS_URL, else `fallbackUrl`. */
export function redisTargetOf(settings: RedisTargetSettings, fallbackUrl = DEFAULT_REDIS_URL): RedisTarget {
  if (settings.REDIS_CLUSTER_NODES !== undefined) return { kind: 'cluster', nodes: settings.REDIS_CLUSTER_NODES };
  return { kind: 'single', url: settings.REDIS_URL ?? fallbackUrl };
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}

/** The target for a log line, passwords hidden. */
export function describeRedisTarget(target: RedisTarget): string {
  return target.kind === 'single' ? redactUrl(target.url) : `cluster ${target.nodes.map(redactUrl).join(',')}`;
}
