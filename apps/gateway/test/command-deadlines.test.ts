import { afterAll, beforeAll, expect, it } from 'vitest';
import { CommandTimeoutError, type RedisConnection, createLogger, createRedisConnection, withCommandTimeout } from '@ddup/runtime';
import { useTestRedis } from '@ddup/test-utils';

// The gateway bounds every Redis command itself (withCommandTimeout): one timer watches the
// deadlines of all commands in flight. Against a real redis-server frozen with SIGSTOP.
const TIMEOUT_MS = 400;
const test = useTestRedis();
let connection: RedisConnection;

beforeAll(async () => {
  connection = createRedisConnection({
    target: { kind: 'single', url: test.redis.url },
    name: 'command-deadlines-test',
    commandTimeoutMs: TIMEOUT_MS,
    logger: createLogger('test', 'error'),
  });
  await connection.connect();
});

afterAll(async () => {
  await connection.close().catch(() => undefined);
});

it('fails every command to a frozen Redis after the timeout, not before, and serves again once it wakes', async () => {
  const commands = withCommandTimeout(connection, TIMEOUT_MS);
  expect(await commands.sendCommand(['PING'])).toBe('PONG');
  process.kill(test.redis.server.pid, 'SIGSTOP');
  try {
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, async (_, i) => {
        try {
          await commands.sendCommand(['SET', `k${i}`, 'v']);
          return 'answered';
        } catch (error) {
          return { error, afterMs: performance.now() - started };
        }
      }),
    );
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('fulfilled');
      const value = outcome.status === 'fulfilled' ? outcome.value : undefined;
      expect(value).not.toBe('answered');
      if (typeof value === 'object') {
        expect(value.error).toBeInstanceOf(CommandTimeoutError);
        expect((value.error as CommandTimeoutError).message).toBe(`Redis did not answer SET within ${TIMEOUT_MS} ms`);
        expect(value.afterMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
      }
    }
  } finally {
    process.kill(test.redis.server.pid, 'SIGCONT');
  }
  // The frozen commands ran once Redis woke; new ones are answered.
  expect(await commands.sendCommand(['GET', 'k19'])).toBe('v');
});
