import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventsStreamKey } from '@ddup/store';
import { type TestRedis, sampleEvent, startTestRedis, startTestReplica } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

let primary: TestRedis;
let replica: TestRedis;
let gateway: Gateway;

const post = async (n: string) => await gateway.app.request(`${API_PREFIX}/events`, { method: 'POST', body: JSON.stringify(sampleEvent(n)) });

beforeAll(async () => {
  primary = await startTestRedis();
  replica = await startTestReplica(primary);
  gateway = await startTestGateway({ REDIS_URL: primary.url, DURABILITY: 'wait', DURABILITY_WAIT_REPLICAS: '1', DURABILITY_WAIT_TIMEOUT_MS: '300' });
});

afterAll(async () => {
  await stopTestGateway(gateway);
  await replica.cleanup();
  await primary.cleanup();
});

it('DURABILITY=wait: 202 once a replica has the event; 503 when no replica acknowledges in time', async () => {
  const accepted = await post('replicated');
  expect(accepted.status, await accepted.clone().text()).toBe(202);
  const { id } = (await accepted.json()) as { id: string };
  const replicaClient = await replica.client();
  expect((await replicaClient.xRange(eventsStreamKey(0), id, id))?.length).toBe(1);

  await replica.server.kill('SIGKILL');
  const refused = await post('not-replicated');
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(await refused.json()).toMatchObject({ code: 'redis_unavailable', reason: 'only 0 of 1 replicas acknowledged the admission in time' });
});
