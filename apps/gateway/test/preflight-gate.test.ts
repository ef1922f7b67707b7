import { expect, it } from 'vitest';
import type { Refusal } from '@ddup/redis-checks';
import { createLogger } from '@ddup/runtime';
import { SHARD_COUNT_KEY } from '@ddup/store';
import { sampleEvent, startTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { parseGatewayConfig } from '../src/env.ts';
import { createGateway, stopGateway } from '../src/gateway.ts';

// main.ts exits on a refusal; until the preflight has passed (and with a hook that does not exit,
// as here, for ever) nothing the gateway is asked to do may write to that Redis.
it('on a Redis it refused: admissions and admin writes get 503, /readyz says why, and nothing is written', async () => {
  const redis = await startTestRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
  const refusals: Refusal[] = [];
  const token = 'preflight-test-token-0123456789';
  const gateway = createGateway(parseGatewayConfig({ REDIS_URL: redis.url, DDUP_ADMIN_TOKEN: token }), createLogger('test', 'error'), {
    onRefused: (refusal) => refusals.push(refusal),
  });
  try {
    await expect.poll(() => refusals.map((refusal) => refusal.reason), { timeout: 10_000 }).toEqual(['eviction_policy']);
    const posted = await gateway.app.request(`${API_PREFIX}/events`, { method: 'POST', body: JSON.stringify(sampleEvent('refused')) });
    expect(posted.status).toBe(503);
    expect(posted.headers.get('retry-after')).toBe('1');
    const batch = await gateway.app.request(`${API_PREFIX}/events/batch`, { method: 'POST', body: JSON.stringify([sampleEvent('refused-batch')]) });
    expect(batch.status).toBe(503);
    const forget = await gateway.app.request(`/admin/events/${'a'.repeat(64)}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(forget.status).toBe(503);
    const ready = await gateway.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reason: 'eviction_policy' });
    expect(await (await redis.client()).dbSize()).toBe(0);
  } finally {
    await stopGateway(gateway);
    await redis.cleanup();
  }
});

it('on a Redis whose ACL denies this user INFO: says it cannot check, and writes nothing', async () => {
  const redis = await startTestRedis();
  const admin = await redis.client();
  await admin.sendCommand(['ACL', 'SETUSER', 'no-info', 'on', '>no-info-password', '~*', '&*', '+@all', '-info']);
  const url = new URL(redis.url);
  url.username = 'no-info';
  url.password = 'no-info-password';
  const warnings: string[] = [];
  const logger = {
    ...createLogger('test', 'error'),
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push(`${message} ${JSON.stringify(fields)}`),
  };
  const gateway = createGateway(parseGatewayConfig({ REDIS_URL: url.toString() }), logger);
  try {
    await expect.poll(() => warnings.join('\n'), { timeout: 10_000 }).toMatch(/cannot check Redis yet.*NOPERM/);
    const posted = await gateway.app.request(`${API_PREFIX}/events`, { method: 'POST', body: JSON.stringify(sampleEvent('unchecked')) });
    expect(posted.status).toBe(503);
    expect((await gateway.app.request('/readyz')).status).toBe(503);
    expect(await admin.dbSize()).toBe(0);
  } finally {
    await stopGateway(gateway);
    await redis.cleanup();
  }
});

it('checks again at a reconnection: a Redis now holding another layout is refused, and nothing is admitted there', async () => {
  const redis = await startTestRedis();
  const admin = await redis.client();
  const refusals: Refusal[] = [];
  const gateway = createGateway(parseGatewayConfig({ REDIS_URL: redis.url }), createLogger('test', 'error'), {
    onRefused: (refusal) => refusals.push(refusal),
  });
  const post = async (name: string) => (await gateway.app.request(`${API_PREFIX}/events`, { method: 'POST', body: JSON.stringify(sampleEvent(name)) })).status;
  try {
    await expect.poll(() => gateway.preflight.hasPassed, { timeout: 10_000 }).toBe(true);
    expect(await post('before')).toBe(202);
    // As if the server had been replaced by one of another deployment: its data has 8 shards.
    await admin.set(SHARD_COUNT_KEY, '8');
    const keysBefore = await admin.dbSize();
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    const statuses: number[] = [];
    for (let n = 0; refusals.length === 0 && n < 200; n++) {
      statuses.push(await post(`during-${n}`));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refusals.map((refusal) => refusal.reason)).toEqual(['layout_mismatch']);
    for (let n = 0; n < 5; n++) statuses.push(await post(`after-${n}`));
    expect(statuses.filter((status) => status !== 503)).toEqual([]);
    expect(await admin.dbSize()).toBe(keysBefore);
  } finally {
    await stopGateway(gateway);
    await redis.cleanup();
  }
});
