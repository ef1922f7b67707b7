/**
 * A bad setting stops start-up at once with a message naming it (exit 2), and a launcher that
 * cannot find redis-server says so in one line with what to do (exit 3). Real processes, real env.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { type ServiceProcess, startService } from '@ddup/test-utils';
import { CONSUMER_ENTRY, GATEWAY_ENTRY, LAUNCHER_ENTRY, makeTempDir, removeDir } from './ddup-process.ts';

const EXIT_TIMEOUT_MS = 60_000;

let unusedRedisUrl: string;
let dataDir: string;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  // Nothing listens here: start-up must fail on the setting, before any connection matters.
  unusedRedisUrl = `redis://127.0.0.1:${await freePort()}`;
  dataDir = makeTempDir('ddup-e2e-config-');
});

afterAll(async () => {
  await Promise.all(started.map((service) => service.stop('SIGKILL')));
  removeDir(dataDir);
});

/** Starts `entry` with `env` and waits (bounded) for it to exit; a process still running fails the test. */
async function exitOf(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const service = startService(entry, env);
  started.push(service);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'running'>((resolve) => {
    timer = setTimeout(() => resolve('running'), EXIT_TIMEOUT_MS);
  });
  const code = await Promise.race([service.exited, timedOut]);
  clearTimeout(timer);
  if (code === 'running') {
    await service.stop('SIGKILL');
    throw new Error(`still running ${EXIT_TIMEOUT_MS} ms after start with ${JSON.stringify(env)}; output:\n${service.output()}`);
  }
  return { code, output: service.output() };
}

const nonEmptyLines = (output: string) => output.split('\n').filter((line) => line.trim() !== '');

describe('a bad setting stops start-up with exit code 2 and a message naming it', () => {
  it.each([
    { service: 'gateway', entry: GATEWAY_ENTRY, name: 'PORT', value: 'abc' },
    { service: 'gateway', entry: GATEWAY_ENTRY, name: 'PORT', value: '70000' },
    { service: 'gateway', entry: GATEWAY_ENTRY, name: 'DEDUP_WINDOW_SECONDS', value: '-5' },
    { service: 'consumer', entry: CONSUMER_ENTRY, name: 'CONSUMER_BATCH_SIZE', value: '0' },
    { service: 'consumer', entry: CONSUMER_ENTRY, name: 'DEDUP_WINDOW_SECONDS', value: '-5' },
    { service: 'launcher', entry: LAUNCHER_ENTRY, name: 'PORT', value: 'abc' },
    // REDIS_URL is set too: one Redis and a cluster at once is refused.
    { service: 'gateway', entry: GATEWAY_ENTRY, name: 'REDIS_CLUSTER_NODES', value: '127.0.0.1:7000' },
    { service: 'consumer', entry: CONSUMER_ENTRY, name: 'REDIS_CLUSTER_NODES', value: '127.0.0.1:7000' },
    { service: 'launcher', entry: LAUNCHER_ENTRY, name: 'REDIS_CLUSTER_NODES', value: '127.0.0.1:7000' },
    { service: 'consumer', entry: CONSUMER_ENTRY, name: 'CONSUMER_IDLE_POLL_MS', value: '0' },
    { service: 'consumer', entry: CONSUMER_ENTRY, name: 'CONSUMER_LINGER_MS', value: '-1' },
    { service: 'gateway', entry: GATEWAY_ENTRY, name: 'SEED_LEGACY_KEYS', value: 'maybe' },
  ])('$service with $name=$value', { timeout: EXIT_TIMEOUT_MS + 10_000 }, async ({ entry, name, value }) => {
    const { code, output } = await exitOf(entry, {
      REDIS_URL: unusedRedisUrl,
      DDUP_DATA_DIR: dataDir,
      PORT: '',
      DEDUP_WINDOW_SECONDS: '',
      CONSUMER_BATCH_SIZE: '',
      [name]: value,
    });
    expect(code, output).toBe(2);
    const named = nonEmptyLines(output).filter((line) => line.includes(`${name}:`));
    expect(named, output).toHaveLength(1);
    expect(named[0], output).toContain(JSON.stringify(value));
    expect(output, 'a stack trace instead of a message').not.toMatch(/^\s+at /m);
    // It stopped before doing anything: no server, no consumer.
    expect(output).not.toMatch(/listening|consumer pool started|redis-server started/);
  });
});

describe('the launcher without redis-server and without REDIS_URL', () => {
  it('exits 3 with one line saying redis-server was not found and how to get one', { timeout: EXIT_TIMEOUT_MS + 10_000 }, async () => {
    const { code, output } = await exitOf(LAUNCHER_ENTRY, {
      REDIS_URL: '',
      REDIS_SERVER_BIN: 'redis-server-that-does-not-exist',
      DDUP_DATA_DIR: dataDir,
      PORT: String(await freePort()),
    });
    expect(code, output).toBe(3);
    const lines = nonEmptyLines(output);
    expect(lines, output).toHaveLength(1);
    const [line = ''] = lines;
    expect(line).toContain('redis-server-that-does-not-exist was not found');
    expect(line).toMatch(/install Redis/i);
    expect(line).toMatch(/apt-get install redis-server/);
    expect(line).toMatch(/REDIS_URL=redis:\/\//);
  });
});
