/** Batches while Redis is away (503, nothing stored), and with DURABILITY=wait (one WAIT per batch). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsStreamKey } from '@ddup/store';
import { type TestRedis, eventually, sampleEvent, startTestRedis, startTestReplica } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

const batchOf = (prefix: string, n = 50) => JSON.stringify(Array.from({ length: n }, (_, i) => sampleEvent(`${prefix}-${i}`)));

async function postBatch(gateway: Gateway, body: string) {
  const response = await gateway.app.request(`${API_PREFIX}/events/batch`, { method: 'POST', body });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

describe('Redis unreachable', () => {
  let redis: TestRedis;
  let gateway: Gateway;

  beforeAll(async () => {
    // fsync always: what was answered survives the SIGKILL even when the disk is slow (everysec may postpone writes).
    redis = await startTestRedis({ appendOnly: true, appendFsync: 'always' });
    gateway = await startTestGateway({ REDIS_URL: redis.url, STREAM_SHARDS: '4' });
  });

  afterAll(async () => {
    await stopTestGateway(gateway);
    await redis.cleanup();
  });

  it('answers 503 with Retry-After for the whole batch while Redis is down, and 200 once it is back', async () => {
    expect((await postBatch(gateway, batchOf('before'))).json).toMatchObject({ accepted: 50 });

    await redis.server.kill('SIGKILL');
    const started = Date.now();
    const refused = await postBatch(gateway, batchOf('down'));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json).toMatchObject({ code: 'redis_unavailable' });

    await redis.restart();
    await eventually('gateway reconnected', async () => (await gateway.app.request('/readyz')).status === 200);
    // The refused batch stored nothing; the one before the crash is still remembered.
    expect((await postBatch(gateway, batchOf('down'))).json).toMatchObject({ accepted: 50, duplicates: 0 });
    expect((await postBatch(gateway, batchOf('before'))).json).toMatchObject({ accepted: 0, duplicates: 50 });
  });

  it('answers 503 within about a second when Redis hangs; retrying is safe (stored events come back as duplicates)', async () => {
    process.kill(redis.server.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      expect((await postBatch(gateway, batchOf('frozen'))).status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      process.kill(redis.server.pid, 'SIGCONT');
    }
    await eventually('gateway serving again', async () => (await gateway.app.request('/readyz')).status === 200);
    // The scripts sent before the timeout ran when Redis woke up: the retry finds those events stored.
    const retry = await postBatch(gateway, batchOf('frozen'));
    expect(retry.status).toBe(200);
    expect(Number(retry.json.accepted) + Number(retry.json.duplicates)).toBe(50);
  });
});

describe('DURABILITY=wait', () => {
  let primary: TestRedis;
  let replica: TestRedis;
  let gateway: Gateway;

  beforeAll(async () => {
    primary = await startTestRedis();
    replica = await startTestReplica(primary);
    gateway = await startTestGateway({
      REDIS_URL: primary.url,
      STREAM_SHARDS: '4',
      DURABILITY: 'wait',
      DURABILITY_WAIT_REPLICAS: '1',
      DURABILITY_WAIT_TIMEOUT_MS: '300',
    });
  });

  afterAll(async () => {
    await stopTestGateway(gateway);
    await replica.cleanup();
    await primary.cleanup();
  });

  it('200 once a replica has the whole batch, with one WAIT; 503 when no replica acknowledges', async () => {
    const client = await primary.client();
    await client.configResetStat();
    const accepted = await postBatch(gateway, batchOf('replicated'));
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ accepted: 50 });
    expect(/cmdstat_wait:calls=(\d+)/.exec(await client.info('commandstats'))?.[1]).toBe('1');
    const replicaClient = await replica.client();
    let stored = 0;
    for (const shard of [0, 1, 2, 3]) stored += await replicaClient.xLen(eventsStreamKey(shard));
    expect(stored).toBe(50);

    await replica.server.kill('SIGKILL');
    const refused = await postBatch(gateway, batchOf('not-replicated'));
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ code: 'redis_unavailable', reason: 'only 0 of 1 replicas acknowledged the admission in time' });
  });
});
