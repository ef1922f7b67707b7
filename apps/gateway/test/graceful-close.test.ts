import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleEvent, useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';
import { closeGracefully, listen } from '../src/http/node/server.ts';

const test = useTestRedis();
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startTestGateway({ REDIS_URL: test.redis.url });
});
afterAll(async () => {
  await stopTestGateway(gateway);
});

it('stops serving busy keep-alive connections after their current request, long before the shutdown timeout', async () => {
  const server = await listen(gateway.app, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${API_PREFIX}/events`;
  let stop = false;
  let servedAfterClose = 0;
  let closeStarted = 0;
  let sequence = 0;
  const client = async () => {
    while (!stop) {
      try {
        const response = await fetch(url, { method: 'POST', body: JSON.stringify(sampleEvent(`ka-${sequence++}`)) });
        await response.arrayBuffer();
        if (closeStarted && Date.now() > closeStarted + 100) servedAfterClose++;
      } catch {
        // refused once the server has closed: expected
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const clients = Array.from({ length: 4 }, client);
  await new Promise((resolve) => setTimeout(resolve, 300));
  closeStarted = Date.now();
  await closeGracefully(server, 10_000);
  const closeMs = Date.now() - closeStarted;
  stop = true;
  await Promise.all(clients);
  expect(closeMs).toBeLessThan(3_000);
  expect(servedAfterClose).toBe(0);
});
