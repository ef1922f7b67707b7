import { z } from 'zod';
import { expect, it } from 'vitest';
import { ConfigError, parseEnv } from './parse-env.ts';
import { describeRedisTarget, redisTargetOf, refineOneRedisTarget } from './redis-target.ts';
import { redisVariables } from './variables.ts';

const schema = z.object({ REDIS_URL: redisVariables.REDIS_URL, REDIS_CLUSTER_NODES: redisVariables.REDIS_CLUSTER_NODES }).superRefine(refineOneRedisTarget);

function problemsOf(env: Record<string, string>): string {
  try {
    parseEnv(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

it('reads REDIS_CLUSTER_NODES as host:port or URLs, and makes it the target', () => {
  const config = parseEnv(schema, { REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis://:s3cret@10.0.0.2:7001 ,' });
  expect(config.REDIS_CLUSTER_NODES).toEqual(['redis://10.0.0.1:7000', 'redis://:s3cret@10.0.0.2:7001']);
  const target = redisTargetOf(config);
  expect(target).toEqual({ kind: 'cluster', nodes: ['redis://10.0.0.1:7000', 'redis://:s3cret@10.0.0.2:7001'] });
  expect(describeRedisTarget(target)).toBe('cluster redis://10.0.0.1:7000,redis://:***@10.0.0.2:7001');
});

it('falls back to REDIS_URL, then to the local default', () => {
  expect(redisTargetOf(parseEnv(schema, { REDIS_URL: 'redis://h:1' }))).toEqual({ kind: 'single', url: 'redis://h:1' });
  expect(redisTargetOf(parseEnv(schema, {}))).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
});

it('refuses both settings at once, and a node that is not an address, naming the variable', () => {
  expect(problemsOf({ REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'h:2' })).toContain(
    'REDIS_CLUSTER_NODES: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
  );
  expect(problemsOf({ REDIS_CLUSTER_NODES: 'h:2,not an address' })).toContain('REDIS_CLUSTER_NODES');
  expect(problemsOf({ REDIS_CLUSTER_NODES: ',' })).toContain('REDIS_CLUSTER_NODES: must list at least one node');
});
