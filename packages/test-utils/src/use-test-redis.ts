import { afterAll, afterEach, beforeAll } from 'vitest';
import { type TestRedis, type TestRedisOptions, startTestRedis } from './test-redis.ts';

export type TestClient = Awaited<ReturnType<TestRedis['client']>>;

/**
 * One redis-server for the whole test file, started before its tests and removed after, with a
 * client; with `flushAfterEach`, the data is wiped between tests (it is this file's own server).
 */
export function useTestRedis(options: TestRedisOptions & { flushAfterEach?: boolean } = {}) {
  const state: { redis?: TestRedis; client?: TestClient } = {};
  beforeAll(async () => {
    state.redis = await startTestRedis(options);
    state.client = await state.redis.client();
  });
  afterAll(() => state.redis?.cleanup());
  if (options.flushAfterEach) afterEach(async () => void (await state.client?.flushAll()));
  return {
    get redis(): TestRedis {
      if (!state.redis) throw new Error('useTestRedis: used outside a test');
      return state.redis;
    },
    get client(): TestClient {
      if (!state.client) throw new Error('useTestRedis: used outside a test');
      return state.client;
    },
  };
}
