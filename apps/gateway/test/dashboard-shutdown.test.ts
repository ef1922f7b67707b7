import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestRedis } from '@ddup/test-utils';
import type { Gateway } from '../src/gateway.ts';
import { closeGracefully, listen } from '../src/http/node/server.ts';
import { DashboardStreamReader } from './dashboard-stream-reader.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

// An open dashboard is a response that never ends by itself: without closing the feed first, a
// graceful close waits for it until its timeout (10 s with the default SHUTDOWN_TIMEOUT_MS).

const test = useTestRedis();
let gateway: Gateway;

beforeAll(async () => {
  gateway = await startTestGateway({ REDIS_URL: test.redis.url });
});

afterAll(async () => {
  await stopTestGateway(gateway);
});

describe('shutting down with a dashboard open', () => {
  it('ends the open streams when the feed is closed, so the graceful close does not wait for its timeout', async () => {
    const server = await listen(gateway.app, 0, '127.0.0.1');
    const { port } = server.address() as AddressInfo;
    const reader = new DashboardStreamReader(await fetch(`http://127.0.0.1:${port}/dashboard/stream`));
    expect((await reader.next()).settings.stream_shards).toBe(1);
    gateway.dashboard.close();
    // A timeout far past this test's own: only the stream ending lets the close finish in time.
    await closeGracefully(server, 120_000);
    await expect(reader.until(() => false)).rejects.toThrow('the dashboard stream ended');
    expect(server.listening).toBe(false);
  });
});
