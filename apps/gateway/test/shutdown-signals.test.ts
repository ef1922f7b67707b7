import { afterAll, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess, useTestRedis } from '@ddup/test-utils';
import { EVENTS, MiB } from './oversized-bodies.ts';
import { postHead, rawRequest } from './raw-http.ts';

// How the gateway's entry point ends on signals (main.ts exits with the status the shutdown gives).

const test = useTestRedis();
const gateways: GatewayProcess[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.service.stop('SIGKILL');
});

async function gateway(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const started = await startGatewayProcess({ REDIS_URL: test.redis.url, LOG_LEVEL: 'info', ...env });
  gateways.push(started);
  return started;
}

it('SIGTERM: exits 0 once shut down; a second one while a request holds the shutdown: exits 130 at once', async () => {
  const idle = await gateway();
  process.kill(idle.pid, 'SIGTERM');
  expect(await idle.service.exited).toBe(0);
  expect(idle.service.output()).toContain('gateway stopped');

  const busy = await gateway({ SHUTDOWN_TIMEOUT_MS: '30000' });
  // An upload that never sends its body: the graceful close waits for it.
  const upload = rawRequest(busy.port, postHead(EVENTS, { 'Content-Type': 'application/json', 'Content-Length': MiB }), { feed: () => undefined });
  await new Promise((resolve) => setTimeout(resolve, 500));
  process.kill(busy.pid, 'SIGTERM');
  await busy.service.waitForOutput(/shutting down/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(busy.service.output()).not.toContain('gateway stopped');
  const started = Date.now();
  process.kill(busy.pid, 'SIGTERM');
  expect(await busy.service.exited).toBe(130);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(busy.service.output()).toContain('second signal; exiting now');
  await upload.catch(() => undefined);
}, 60_000);
