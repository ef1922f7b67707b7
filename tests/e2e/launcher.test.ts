/**
 * `pnpm start` end to end: the launcher as a real process, with its own embedded redis-server (AOF
 * in DDUP_DATA_DIR), the gateway and the consumer pool, driven over real HTTP and inspected with a
 * plain Redis client, then stopped with Ctrl-C (SIGINT) and started again on the same data.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freeLauncherPort, postJson } from '@ddup/test-utils';
import {
  API,
  CONSUMER_GROUP,
  EVENTS_STREAM,
  type GroupInfo,
  type Launcher,
  type LauncherChildren,
  SEVEN_DAYS_SECONDS,
  type TestClient,
  cleanupLauncher,
  connectClient,
  findLog,
  isAlive,
  logRecords,
  makeTempDir,
  rememberedEvent,
  removeDir,
  seenState,
  startLauncher,
  workersGroup,
} from './ddup-process.ts';

const README_EVENT = JSON.stringify({ user_id: 'u1', event_type: 'view', timestamp: '2026-01-01T00:00:00Z', payload: { a: 1 } });

let dataDir: string;
let port: number;
let launcher: Launcher | undefined;
let children: LauncherChildren;
let client: TestClient | undefined;
let acceptedHash: string;

beforeAll(async () => {
  dataDir = makeTempDir('ddup-e2e-launcher-');
  port = await freeLauncherPort();
});

afterAll(async () => {
  client?.destroy();
  await cleanupLauncher(launcher);
  removeDir(dataDir);
});

describe('the ddup launcher (pnpm start)', () => {
  it('starts an embedded redis-server, the gateway and the consumer, and serves the README session', { timeout: 120_000 }, async () => {
    launcher = startLauncher({ dataDir, port });
    children = await launcher.ready();
    expect(children.redis, 'no embedded redis-server pid in the log').toBeDefined();

    const test = await fetch(`${launcher.baseUrl}${API}/test`);
    expect(test.status).toBe(200);
    expect(await test.json()).toEqual({ message: 'successful' });

    const first = await postJson(`${launcher.baseUrl}${API}/events`, README_EVENT);
    expect(first.status, first.text).toBe(202);
    expect(first.json).toMatchObject({ status: 'accepted' });
    expect(first.json.id).toMatch(/^\d+-\d+$/);
    expect(first.json.hash).toMatch(/^[0-9a-f]{64}$/);
    acceptedHash = String(first.json.hash);

    const again = await postJson(`${launcher.baseUrl}${API}/events`, README_EVENT);
    expect(again.status, again.text).toBe(409);
    expect(again.json).toMatchObject({ detail: 'Duplicate event detected', hash: acceptedHash });

    const healthz = await fetch(`${launcher.baseUrl}/healthz`);
    expect(healthz.status).toBe(200);
    await healthz.body?.cancel();
    const readyz = await fetch(`${launcher.baseUrl}/readyz`);
    expect(readyz.status).toBe(200);
    await readyz.body?.cancel();
    // Without TENANTS_FILE anyone who reaches the port may post: the gateway says so at start.
    expect(
      findLog(launcher.process.output(), 'gateway', 'no TENANTS_FILE: the event API is unauthenticated, one open dedup space for every client')?.level,
    ).toBe('warn');
  });

  it('hands the event to the ddup-workers group, which confirms it for the 7-day window', { timeout: 90_000 }, async () => {
    if (!launcher) throw new Error('the launcher did not start');
    const { url, port } = launcher.embeddedRedis();
    // Operator tools (pnpm dead-letters) find the embedded Redis through this file while it runs
    // (its password is in the password file beside it, not here).
    expect(readFileSync(join(dataDir, 'redis', 'url'), 'utf8').trim()).toBe(`redis://127.0.0.1:${port}`);
    client = await connectClient(url);
    const redis = client;

    let group: GroupInfo | undefined;
    await eventually(
      `group ${CONSUMER_GROUP} on ${EVENTS_STREAM}`,
      async () => {
        group = await workersGroup(redis);
        return group !== undefined;
      },
      30_000,
    );
    expect(group?.name).toBe(CONSUMER_GROUP);
    expect(group?.consumers).toBeGreaterThanOrEqual(1);

    await eventually(
      'lag 0 and pending 0 in ddup-workers',
      async () => {
        const current = await workersGroup(redis);
        return current?.lag === 0 && current.pending === 0;
      },
      30_000,
    );
    await eventually('event processed in the index', async () => (await seenState(redis, acceptedHash)) === 'processed', 30_000);

    // The consumer serves its own counters where the launcher said it would: PORT + 1 by default.
    const output = () => launcher?.process.output() ?? '';
    const metricsUrl = findLog(output(), 'ddup', 'consumer metrics')?.url;
    expect(metricsUrl, output()).toBe(`http://127.0.0.1:${launcher.port + 1}/metrics`);
    await eventually('the consumer serves its metrics', () => findLog(output(), 'consumer', 'consumer metrics served') !== undefined, 30_000);
    expect(findLog(output(), 'consumer', 'consumer metrics served')?.url).toBe(metricsUrl);
    const metrics = await fetch(String(metricsUrl));
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^ddup_confirmed_total\{shard="0"\} 1$/m);
    // Remembered until its first acceptance's second + 1 s + the window: at most a second beyond 7 days from now.
    const ttlMs = ((await rememberedEvent(redis, acceptedHash))?.expiresMs ?? 0) - Date.now();
    expect(ttlMs).toBeLessThanOrEqual((SEVEN_DAYS_SECONDS + 1) * 1000);
    expect(ttlMs).toBeGreaterThan((SEVEN_DAYS_SECONDS - 60) * 1000);
  });

  it('stops gateway, consumer and redis-server on SIGINT, exits 0 and leaves no process behind', { timeout: 90_000 }, async () => {
    if (!launcher) throw new Error('the launcher did not start');
    client?.destroy();
    client = undefined;

    const code = await launcher.stop('SIGINT');
    const output = launcher.process.output();
    expect(code, output).toBe(0);

    expect(findLog(output, 'ddup', 'shutting down')?.signal).toBe('SIGINT');
    expect(findLog(output, 'ddup', 'gateway stopped')?.code, output).toBe(0);
    expect(findLog(output, 'ddup', 'consumer stopped')?.code, output).toBe(0);
    expect(findLog(output, 'ddup', 'embedded redis-server stopped'), output).toBeDefined();
    expect(existsSync(join(dataDir, 'redis', 'url')), 'the embedded Redis URL file outlived the launcher').toBe(false);
    expect(findLog(output, 'gateway', 'gateway stopped'), output).toBeDefined();
    expect(findLog(output, 'consumer', 'consumer pool stopped'), output).toBeDefined();
    // In order: no new events first, then the consumers, Redis last.
    const order = logRecords(output)
      .filter((record) => record.name === 'ddup' && record.message.endsWith('stopped'))
      .map((record) => record.message);
    expect(order).toEqual(['gateway stopped', 'consumer stopped', 'embedded redis-server stopped']);
    expect(
      logRecords(output).filter((record) => record.level === 'error'),
      output,
    ).toEqual([]);

    const owned = [children.gateway, children.consumer, children.redis ?? -1].filter((pid) => pid > 0);
    expect(owned).toHaveLength(3);
    expect(
      owned.filter((pid) => isAlive(pid)),
      `gateway ${children.gateway}, consumer ${children.consumer} or redis-server ${children.redis} still running`,
    ).toEqual([]);
    // tsx's esbuild helper (started on a cold transform cache) notices its parent's exit by itself, a moment later.
    const helpers = children.all.filter((pid) => !owned.includes(pid));
    await eventually(`helper processes ${JSON.stringify(helpers)} gone`, () => helpers.every((pid) => !isAlive(pid)), 15_000);
  });

  it('keeps the dedup window across a restart on the same DDUP_DATA_DIR (AOF)', { timeout: 120_000 }, async () => {
    launcher = startLauncher({ dataDir, port });
    await launcher.ready();

    const replay = await postJson(`${launcher.baseUrl}${API}/events`, README_EVENT);
    expect(replay.status, replay.text).toBe(409);
    expect(replay.json).toMatchObject({ detail: 'Duplicate event detected', hash: acceptedHash, state: 'processed' });

    const code = await launcher.stop('SIGTERM');
    expect(code, launcher.process.output()).toBe(0);
  });

  it('with TENANTS_FILE: passes SIGHUP on to the gateway and the consumer, which reread the file', { timeout: 120_000 }, async () => {
    const tenantsDir = makeTempDir('ddup-e2e-launcher-tenants-');
    const file = join(tenantsDir, 'tenants.json');
    const ownData = makeTempDir('ddup-e2e-launcher-data-');
    const digest = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
    const write = (key: string) => writeFileSync(file, JSON.stringify({ tenants: [{ id: 'acme', api_keys: [digest(key)] }] }));
    write('first-key-0123456789');
    try {
      launcher = startLauncher({ dataDir: ownData, port: await freeLauncherPort(), env: { TENANTS_FILE: file } });
      await launcher.ready();
      const post = (key: string) => postJson(`${launcher?.baseUrl}${API}/events`, README_EVENT, { authorization: `Bearer ${key}` });
      expect((await post('first-key-0123456789')).status).toBe(202);
      expect((await post('next-key-0123456789')).status).toBe(401);
      expect(launcher.process.output()).not.toContain('the event API is unauthenticated');

      write('next-key-0123456789');
      process.kill(launcher.process.pid, 'SIGHUP');
      const reloaded = (name: string) => () => findLog(launcher?.process.output() ?? '', name, 'tenants reloaded') !== undefined;
      await eventually('the gateway reread TENANTS_FILE', reloaded('gateway'));
      await eventually('the consumer reread TENANTS_FILE', reloaded('consumer'));
      // The same tenant, the same space: the README event is remembered under the new key too.
      expect((await post('next-key-0123456789')).status).toBe(409);
      expect((await post('first-key-0123456789')).status).toBe(401);
      // Nothing restarted.
      expect(launcher.process.output()).not.toMatch(/exited unexpectedly/);
      expect(await launcher.stop('SIGTERM')).toBe(0);
    } finally {
      await cleanupLauncher(launcher);
      removeDir(tenantsDir);
      removeDir(ownData);
    }
  });
});
