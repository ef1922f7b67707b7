/**
 * A bad setting stops start-up at once with a message naming it (exit 2), and a launcher that
 * cannot find redis-server says so in one line with what to do (exit 3). Real processes, real env.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    { service: 'launcher', entry: LAUNCHER_ENTRY, name: 'CHILD_MAX_RESTARTS_PER_MINUTE', value: '-1' },
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

describe("the launcher checks every setting, the gateway's and the consumer's too, before it starts anything", () => {
  it.each([
    // Read by both children: named once.
    { name: 'DEDUP_WINDOW_SECONDS', value: '-1' },
    { name: 'STREAM_SHARDS', value: '0' },
    // Read by one child only.
    { name: 'CONSUMER_BATCH_SIZE', value: '0' },
    { name: 'SEED_LEGACY_KEYS', value: 'maybe' },
    { name: 'BODY_LIMIT_BYTES', value: '1' },
    // The launcher's own.
    { name: 'REDIS_MAXMEMORY', value: 'lots' },
    { name: 'REDIS_MAXMEMORY', value: '512mib' },
    { name: 'REDIS_MAXMEMORY', value: '1000' },
  ])('$name=$value: exit 2 naming it, no embedded Redis, no child', { timeout: EXIT_TIMEOUT_MS + 10_000 }, async ({ name, value }) => {
    // No REDIS_URL: a launcher that did not check would start its embedded Redis in here first.
    const ownDataDir = mkdtempSync(join(dataDir, 'children-'));
    const { code, output } = await exitOf(LAUNCHER_ENTRY, { REDIS_URL: '', DDUP_DATA_DIR: ownDataDir, PORT: String(await freePort()), [name]: value });
    expect(code, output).toBe(2);
    const named = nonEmptyLines(output).filter((line) => line.includes(`${name}:`));
    expect(named, output).toHaveLength(1);
    expect(named[0], output).toContain(JSON.stringify(value));
    expect(output).toMatch(/^ddup: invalid configuration:/);
    expect(output).not.toMatch(/redis-server started|gateway started|consumer started|listening|consumer pool started/);
    expect(readdirSync(ownDataDir), 'the launcher touched its data directory').toEqual([]);
  });

  it('takes REDIS_MAXMEMORY as redis.conf writes sizes (checked here without starting: a bad value is the only problem)', {
    timeout: EXIT_TIMEOUT_MS + 10_000,
  }, async () => {
    // PORT is bad on purpose so that the launcher stops right after the check: REDIS_MAXMEMORY is not named.
    for (const value of ['0', '2gb', '512MB', '1048576', '64m']) {
      const { code, output } = await exitOf(LAUNCHER_ENTRY, { REDIS_URL: '', DDUP_DATA_DIR: dataDir, PORT: 'x', REDIS_MAXMEMORY: value });
      expect(code, output).toBe(2);
      expect(output, value).not.toContain('REDIS_MAXMEMORY');
    }
  });
});

describe('the launcher without redis-server and without REDIS_URL', () => {
  /** Starts the launcher with no REDIS_URL and `REDIS_SERVER_BIN=bin`: it must exit 3 with one line, returned. */
  async function missingServerLine(bin: string, env: Record<string, string> = {}): Promise<string> {
    const { code, output } = await exitOf(LAUNCHER_ENTRY, {
      REDIS_URL: '',
      REDIS_SERVER_BIN: bin,
      DDUP_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      ...env,
    });
    expect(code, output).toBe(3);
    const lines = nonEmptyLines(output);
    expect(lines, output).toHaveLength(1);
    return lines[0] ?? '';
  }

  it('says which path it tried when REDIS_SERVER_BIN is a path', { timeout: EXIT_TIMEOUT_MS + 10_000 }, async () => {
    const line = await missingServerLine('/nonexistent/redis-server');
    expect(line).toContain('/nonexistent/redis-server does not exist');
    expect(line).not.toContain('PATH');
    expect(line).toMatch(/REDIS_URL=redis:\/\//);
  });

  it('names the PATH directories it searched for a bare name', { timeout: EXIT_TIMEOUT_MS + 10_000 }, async () => {
    const searched = [mkdtempSync(join(dataDir, 'bin-a-')), mkdtempSync(join(dataDir, 'bin-b-'))];
    const line = await missingServerLine('redis-server-that-does-not-exist', { PATH: searched.join(':') });
    expect(line).toContain(`redis-server-that-does-not-exist was not found on PATH (searched PATH: ${searched.join(':')})`);
    expect(existsSync(join(dataDir, 'redis')), 'a redis directory was made for a server that cannot start').toBe(false);
  });

  it('exits 3 with one line saying redis-server was not found and how to get one', { timeout: EXIT_TIMEOUT_MS + 10_000 }, async () => {
    const line = await missingServerLine('redis-server-that-does-not-exist');
    expect(line).toContain('redis-server-that-does-not-exist was not found');
    expect(line).toMatch(/install Redis/i);
    expect(line).toMatch(/apt-get install redis-server/);
    expect(line).toMatch(/REDIS_URL=redis:\/\//);
  });
});

describe('a bad TENANTS_FILE stops start-up naming the tenant and the field', () => {
  it.each([
    { service: 'gateway', entry: GATEWAY_ENTRY },
    { service: 'consumer', entry: CONSUMER_ENTRY },
    { service: 'launcher', entry: LAUNCHER_ENTRY },
  ])('$service', { timeout: EXIT_TIMEOUT_MS + 10_000 }, async ({ entry }) => {
    const file = join(mkdtempSync(join(dataDir, 'tenants-')), 'tenants.json');
    writeFileSync(file, JSON.stringify({ tenants: [{ id: 'acme', api_keys: ['the-key-itself'], window_seconds: 60 }] }));
    const { code, output } = await exitOf(entry, {
      REDIS_URL: unusedRedisUrl,
      DDUP_DATA_DIR: mkdtempSync(join(dataDir, 'own-')),
      PORT: String(await freePort()),
      TENANTS_FILE: file,
    });
    expect(code, output).toBe(2);
    expect(output).toMatch(/TENANTS_FILE .*tenants\.json: tenant "acme" \(tenants\[0\]\) field api_keys\.0: must be "sha256:"/);
    // The file holds the key in clear here: the message does not repeat it.
    expect(output).not.toContain('the-key-itself');
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toMatch(/listening|consumer pool started|redis-server started/);
  });
});
