import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@redis/client';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { eventsStreamKey } from '@ddup/store';
import { type ServiceProcess, eventually, sampleEvent, seenState, startService } from '@ddup/test-utils';

const LAUNCHER = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ddup-fsync-'));
let launcher: ServiceProcess | undefined;

afterAll(async () => {
  await launcher?.stop('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

function logField(output: string, message: string, field: string): string {
  const line = output.split('\n').find((l) => l.includes(`"message":"${message}"`));
  if (!line) throw new Error(`no "${message}" line in:\n${output}`);
  return String((JSON.parse(line) as Record<string, unknown>)[field]);
}

it('DURABILITY=fsync: every 202 survives SIGKILL of redis-server mid-load', async () => {
  const port = await freePort();
  launcher = startService(LAUNCHER, { DDUP_DATA_DIR: dataDir, PORT: String(port), DURABILITY: 'fsync', LOG_LEVEL: 'warn' });
  await launcher.waitForOutput(/ddup is ready/);
  expect(logField(launcher.output(), 'embedded redis-server started', 'appendfsync')).toBe('always');
  const redisPid = Number(logField(launcher.output(), 'embedded redis-server started', 'childPid'));
  // The log hides the password; it is in the data directory.
  const password = readFileSync(join(dataDir, 'redis', 'password'), 'utf8').trim();
  const redisUrl = `redis://:${password}@127.0.0.1:${new URL(logField(launcher.output(), 'embedded redis-server started', 'url')).port}`;

  const accepted: { id: string; hash: string }[] = [];
  const statuses = new Map<number, number>();
  let sequence = 0;
  const deadline = Date.now() + 5_000;
  const load = async () => {
    while (Date.now() < deadline && sequence < 20_000) {
      const body = JSON.stringify(sampleEvent(`fsync-${sequence++}`));
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/ddup_service/events`, { method: 'POST', body });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const json = (await response.json()) as { id?: string; hash?: string };
        if (response.status === 202 && json.id && json.hash) accepted.push({ id: json.id, hash: json.hash });
      } catch {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
      }
    }
  };
  const loops = Array.from({ length: 8 }, load);
  await eventually('some events accepted', () => accepted.length > 300);
  process.kill(redisPid, 'SIGKILL');
  await Promise.all(loops);

  expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
  await launcher.waitForOutput(/embedded redis-server restarted/);
  const client = createClient({ url: redisUrl, RESP: 2 });
  await client.connect();
  try {
    const missing: string[] = [];
    for (const { id, hash } of accepted) {
      const [entry] = (await client.xRange(eventsStreamKey(0), id, id)) ?? [];
      if (entry?.message.hash !== hash) missing.push(id);
    }
    expect(missing).toEqual([]);
    await eventually(
      'all accepted events confirmed',
      async () => {
        const states = await Promise.all(accepted.map(({ hash }) => seenState(client, hash)));
        return states.every((state) => state === 'processed');
      },
      30_000,
    );
  } finally {
    client.destroy();
  }
  expect(await launcher.stop('SIGTERM')).toBe(0);
}, 90_000);
