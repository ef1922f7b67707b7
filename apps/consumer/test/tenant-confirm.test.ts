import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_CAPACITY, Store, eventsStreamKey } from '@ddup/store';
import { createLogger } from '@ddup/runtime';
import { type TestClient, eventually, useTestRedis, workersGroupInfo } from '@ddup/test-utils';
import { ConsumerPool } from '../src/consumer-pool.ts';
import { tenantRulesOf } from '../src/tenant-rules.ts';
import { testPoolSettings } from './pool-settings.ts';

// A consumer confirms tenants' events in their own dedup spaces, on the shared stream.

const WINDOW_SECONDS = 3600;
const test = useTestRedis();
let client: TestClient;

beforeAll(() => {
  client = test.client;
});

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

describe('confirming tenants’ events', () => {
  it('marks each in its tenant’s space, also after a sliding-window refresh, and leaves the other spaces alone', async () => {
    const base = new Store({ shardCount: 1, indexCapacity: DEFAULT_INDEX_CAPACITY, windowSeconds: WINDOW_SECONDS });
    const acme = base.forTenant('acme', { windowSeconds: 600 });
    const debounce = base.forTenant('debounce', { refreshOnDuplicate: true });
    const [a, d] = [hashOf('a'), hashOf('d')];
    await acme.admit(client, { hash: a, canonical: '{"a":1}' });
    await debounce.admit(client, { hash: d, canonical: '{"d":1}' });
    // The refresh moves d's record past its entry's second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await debounce.admit(client, { hash: d, canonical: '{"d":1}' });

    const rules = tenantRulesOf(
      [
        {
          id: 'acme',
          apiKeyDigests: [],
          windowSeconds: 600,
          keyFields: undefined,
          rateLimit: undefined,
          refreshOnDuplicate: false,
          maxIdempotencyKeys: undefined,
          canonicalForm: undefined,
        },
        {
          id: 'debounce',
          apiKeyDigests: [],
          windowSeconds: undefined,
          keyFields: undefined,
          rateLimit: undefined,
          refreshOnDuplicate: true,
          maxIdempotencyKeys: undefined,
          canonicalForm: undefined,
        },
      ],
      WINDOW_SECONDS,
    );
    const pool = ConsumerPool.start(testPoolSettings(test.redis.url, { concurrency: 1, lingerMs: 0, consumerName: 'tenants' }), createLogger('test', 'error'), {
      tenantRules: () => rules,
    });
    try {
      await eventually('both confirmed', async () => {
        const info = await workersGroupInfo(client, eventsStreamKey(0));
        return info.pending === 0 && info.lag === 0;
      });
      expect((await acme.lookup(client, a))?.state).toBe('processed');
      expect((await debounce.lookup(client, d))?.state).toBe('processed');
      expect(await base.lookup(client, a)).toBeUndefined();
    } finally {
      await pool.close();
    }
  });
});
