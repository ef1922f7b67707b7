import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { freePort, ping } from '@ddup/redis-process';
import { type ServiceProcess, eventually, sampleEvent, startService } from '@ddup/test-utils';

const LAUNCHER = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ddup-killed-'));
const launchers: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(launchers.map((launcher) => launcher.stop('SIGTERM')));
  rmSync(dataDir, { recursive: true, force: true });
});

function pidsOf(output: string): { gateway: number; consumer: number; redisPort: number } {
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const started = lines.find((line) => line.message === 'embedded redis-server started');
  const gateway = lines.find((line) => line.name === 'gateway' && line.message === 'gateway listening');
  const consumer = lines.find((line) => line.name === 'consumer' && line.message === 'consumer pool started');
  return {
    gateway: Number(gateway?.pid),
    consumer: Number(consumer?.pid),
    redisPort: Number(new URL(String(started?.url)).port),
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('a launcher killed with SIGKILL leaves no gateway or consumer behind, and the next start takes over its Redis cleanly', async () => {
  const port = await freePort();
  const env = { DDUP_DATA_DIR: dataDir, PORT: String(port) };
  const first = startService(LAUNCHER, env);
  launchers.push(first);
  await first.waitForOutput(/ddup is ready/);
  await first.waitForOutput(/consumer pool started/);
  const { gateway, consumer, redisPort } = pidsOf(first.output());
  const url = `http://127.0.0.1:${port}/api/v1/ddup_service/events`;
  expect((await fetch(url, { method: 'POST', body: JSON.stringify(sampleEvent('killed')) })).status).toBe(202);

  await first.stop('SIGKILL');
  await eventually('gateway and consumer gone with their launcher', () => !alive(gateway) && !alive(consumer), 15_000);
  const password = readFileSync(join(dataDir, 'redis', 'password'), 'utf8').trim();
  expect(await ping(redisPort, '127.0.0.1', 1000, password)).toBe(true); // the orphaned embedded Redis
  // The dead launcher's lock is left behind; the next one sees its holder is gone and takes it over.
  const lockFile = join(dataDir, 'ddup.lock');
  expect((JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid).toBe(first.pid);

  const second = startService(LAUNCHER, env);
  launchers.push(second);
  await second.waitForOutput(/ddup is ready/, 30_000);
  expect(second.output()).toContain('an embedded redis-server from an earlier run is still running; shutting it down');
  expect((await fetch(url, { method: 'POST', body: JSON.stringify(sampleEvent('killed')) })).status).toBe(409);
  expect((JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid).toBe(second.pid);
  expect(await second.stop('SIGTERM')).toBe(0);
  expect(existsSync(lockFile), 'the lock outlived its launcher').toBe(false);
  expect(await ping(redisPort, '127.0.0.1', 1000, password)).toBe(false); // the orphan was shut down, not left running beside the new one
}, 90_000);
