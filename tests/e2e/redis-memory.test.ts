import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { CONSUMER_GROUP, StreamGroup, deadLetterStreamKey } from '@ddup/store';
import { type ServiceProcess, type TestRedis, eventually, postJson, sampleEvent, startService, startTestRedis, workersGroupInfo } from '@ddup/test-utils';
import { API, CONSUMER_ENTRY, EVENTS_STREAM, GATEWAY_ENTRY, seenState } from './ddup-process.ts';

const workers = new StreamGroup(CONSUMER_GROUP, [EVENTS_STREAM]);

// What ddup does on a Redis that may evict (it would forget remembered events) or that is out of
// memory (it refuses writes), with real redis-servers, gateway and consumer processes.

const started: ServiceProcess[] = [];
const servers: TestRedis[] = [];

afterEach(async () => {
  for (const service of started.splice(0)) await service.stop('SIGKILL');
  for (const server of servers.splice(0)) await server.cleanup();
});

async function redisWith(...extraArgs: string[]): Promise<TestRedis> {
  const redis = await startTestRedis({ extraArgs });
  servers.push(redis);
  return redis;
}

function start(entry: string, env: Record<string, string>): ServiceProcess {
  const service = startService(entry, { LOG_LEVEL: 'info', ...env });
  started.push(service);
  return service;
}

async function startGateway(redis: TestRedis, env: Record<string, string> = {}) {
  const port = await freePort();
  const gateway = start(GATEWAY_ENTRY, { REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1', ...env });
  await gateway.waitForOutput(/gateway listening/);
  const base = `http://127.0.0.1:${port}`;
  await eventually('gateway ready', async () => (await fetch(`${base}/readyz`)).status === 200);
  return { gateway, base };
}

async function readyz(base: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('an evicting Redis', () => {
  it.each(['allkeys-lru', 'volatile-ttl'])('with maxmemory-policy %s: gateway and consumer refuse to start, naming the setting and the fix', async (policy) => {
    const redis = await redisWith('--maxmemory-policy', policy);
    for (const entry of [GATEWAY_ENTRY, CONSUMER_ENTRY]) {
      const service = start(entry, { REDIS_URL: redis.url, PORT: String(await freePort()) });
      expect(await service.exited).toBe(2);
      expect(service.output()).toContain(`maxmemory-policy is \\"${policy}\\"`);
      expect(service.output()).toContain('CONFIG SET maxmemory-policy noeviction');
    }
    // Nothing was written to the Redis it refused.
    expect(await (await redis.client()).dbSize()).toBe(0);
  });

  it('a policy changed under a running gateway makes /readyz 503 with the reason, logged once, until it is put back', async () => {
    const redis = await redisWith();
    const { gateway, base } = await startGateway(redis);
    const client = await redis.client();
    await client.configSet('maxmemory-policy', 'allkeys-lfu');
    const notReady = await readyz(base);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'not ready', reason: 'eviction_policy' });
    expect(String(notReady.body.detail)).toContain('maxmemory-policy is "allkeys-lfu"');
    await readyz(base);
    expect(gateway.output().match(/maxmemory-policy is/g)).toHaveLength(1);
    await client.configSet('maxmemory-policy', 'noeviction');
    expect((await readyz(base)).status).toBe(200);
    await gateway.waitForOutput(/Redis can serve again/);
  });
});

describe('a Redis out of memory', () => {
  it('refuses writes: 503s and a 503 /readyz; a consumer restarted meanwhile dead-letters nothing, and every 202 ends confirmed once memory is back', async () => {
    const redis = await redisWith('--maxmemory-policy', 'noeviction');
    const client = await redis.client();
    const { base } = await startGateway(redis);
    const consumerEnv = {
      REDIS_URL: redis.url,
      CONSUMER_CONCURRENCY: '1',
      CONSUMER_BLOCK_MS: '100',
      CONSUMER_MAX_DELIVERIES: '2',
      CONSUMER_CLAIM_IDLE_MS: '100',
      CONSUMER_CLAIM_INTERVAL_MS: '100',
    };
    let consumer = start(CONSUMER_ENTRY, consumerEnv);
    await eventually(
      'consumer group created',
      async () => (await client.sendCommand<unknown[]>(['XINFO', 'GROUPS', EVENTS_STREAM]).catch(() => [])).length > 0,
    );
    // Accepted while there is room; the consumer would keep up, so stop it first to leave them pending.
    await consumer.stop();
    const accepted: string[] = [];
    for (let i = 0; i < 300; i++) {
      const reply = await postJson(`${base}${API}/events`, JSON.stringify(sampleEvent(`oom-${i}`)));
      expect(reply.status).toBe(202);
      accepted.push(String(reply.json.hash));
    }

    // Now Redis is full: below what it already holds, nothing is written any more.
    const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
    await client.configSet('maxmemory', String(used - 100_000));
    const refused = await postJson(`${base}${API}/events`, JSON.stringify(sampleEvent('oom-refused')));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const notReady = await readyz(base);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'not ready', reason: 'out_of_memory' });

    // A consumer reads them (reads are allowed) but cannot confirm; it re-reads its backlog after each
    // failure, and a restart does so again, so the delivery counts climb past CONSUMER_MAX_DELIVERIES.
    consumer = start(CONSUMER_ENTRY, consumerEnv);
    await eventually(
      'entries delivered more than CONSUMER_MAX_DELIVERIES times',
      async () => {
        const [oldest] = await workers.stale(client, EVENTS_STREAM, 0, 1);
        return (oldest?.deliveries ?? 0) > 3;
      },
      20_000,
    );
    await consumer.stop();
    consumer = start(CONSUMER_ENTRY, consumerEnv);
    await consumer.waitForOutput(/consumer pool started/);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Memory back: everything is confirmed, nothing went to the dead letters, /readyz recovers by itself.
    await client.configSet('maxmemory', '0');
    await eventually(
      'every accepted event confirmed',
      async () => {
        const info = await workersGroupInfo(client, EVENTS_STREAM);
        return info.pending === 0 && info.lag === 0;
      },
      20_000,
    );
    expect(await client.xLen(deadLetterStreamKey(0))).toBe(0);
    const states = await Promise.all(accepted.map((hash) => seenState(client, hash)));
    expect(new Set(states)).toEqual(new Set(['processed']));
    expect((await readyz(base)).status).toBe(200);
    expect(consumer.output()).not.toMatch(/moved to dead letters/);
  }, 60_000);
});

describe('a Redis at its limit', () => {
  it('a flood of big batches refused with OOM: the 503 says out_of_memory, and so does /readyz', async () => {
    const redis = await redisWith('--maxmemory-policy', 'noeviction');
    const client = await redis.client();
    const { base } = await startGateway(redis);
    expect((await postJson(`${base}${API}/events`, JSON.stringify(sampleEvent('before-the-flood')))).status).toBe(202);
    // 300 kB of room: INFO memory says Redis can write, but a batch's own arguments (~750 kB, held
    // by Redis while it decides) put it over, as one tenant's flood puts it over for everyone.
    const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
    await client.configSet('maxmemory', String(used + 300_000));
    const flood = Array.from({ length: 500 }, (_, n) => sampleEvent(`flood-${n}`, { payload: { pad: 'x'.repeat(1_500), n } }));
    const refused = await postJson(`${base}${API}/events/batch`, JSON.stringify(flood));
    expect(refused.status, refused.text).toBe(503);
    expect(refused.json).toMatchObject({ code: 'redis_unavailable', reason: 'out_of_memory' });
    const ready = await readyz(base);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not ready', reason: 'out_of_memory' });
    await client.configSet('maxmemory', '0');
  });
});
