import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ServiceProcess, type TestRedis, admitEvents, eventually, seenState, startService, useTestRedis } from '@ddup/test-utils';

const CONSUMER_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const test = useTestRedis({ appendOnly: true, appendFsync: 'always' });
let consumer: ServiceProcess;

beforeAll(async () => {
  // always: with everysec a busy disk lets Redis postpone its AOF write, and a SIGKILL may lose an answered write.
});
afterAll(async () => {
  await consumer?.stop('SIGKILL');
});

async function admit(client: Awaited<ReturnType<TestRedis['client']>>, name: string): Promise<string> {
  const [hash] = await admitEvents(client, [name]);
  return hash as string;
}

it('consumers ride out a Redis outage: no crash, a few log lines, and they resume by themselves', async () => {
  consumer = startService(CONSUMER_MAIN, { REDIS_URL: test.redis.url, CONSUMER_CONCURRENCY: '3', CONSUMER_BLOCK_MS: '200', LOG_LEVEL: 'info' });
  await consumer.waitForOutput(/consumer pool started/);
  const before = await admit(await test.redis.client(), 'before-outage');
  await eventually('confirmed before the outage', async () => (await seenState(await test.redis.client(), before)) === 'processed');

  await test.redis.server.kill('SIGKILL');
  const linesAtKill = consumer.output().split('\n').length;
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const outageLines = consumer.output().split('\n').length - linesAtKill;
  // Three connections reconnecting every <= 2 s for 4 s: without rate limiting this is dozens of lines.
  expect(outageLines).toBeLessThanOrEqual(12);

  await test.redis.restart();
  const client = await test.redis.client();
  const after = await admit(client, 'after-outage');
  await eventually('confirmed after the outage', async () => (await seenState(client, after)) === 'processed', 20_000);
  expect(consumer.output()).not.toMatch(/Unhandled|uncaught/i);
  // Same process all along: it never crashed.
  expect(await consumer.stop('SIGTERM')).toBe(0);
}, 60_000);
