/**
 * The embedded Redis belongs to one launcher and to nobody else: a password kept in the data
 * directory (0600, the directory 0700, the AOF 0600), `maxmemory` from REDIS_MAXMEMORY with
 * `noeviction`, one launcher per data directory, and a server on the recorded port that is not
 * ours is never shut down. The gateway listens on loopback unless HOST says otherwise. Real
 * launchers, real redis-servers, real redis-cli.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ping } from '@ddup/redis-process';
import { type ServiceProcess, type TestRedis, freeLauncherPort, postJson, sampleEvent, startService, startTestRedis } from '@ddup/test-utils';
import {
  API,
  LAUNCHER_ENTRY,
  type Launcher,
  type LauncherChildren,
  cleanupLauncher,
  findLog,
  isAlive,
  makeTempDir,
  passwordFile,
  removeDir,
  startLauncher,
} from './ddup-process.ts';

const run = promisify(execFile);
const DDUP_CLI = fileURLToPath(new URL('../../apps/ddup/src/cli/main.ts', import.meta.url));
const MAXMEMORY = '64mb';

let dataDir: string;
let launcher: Launcher | undefined;
let children: LauncherChildren;
let unrelated: TestRedis | undefined;
const services: ServiceProcess[] = [];

beforeAll(() => {
  dataDir = makeTempDir('ddup-e2e-embedded-');
});

afterAll(async () => {
  await cleanupLauncher(launcher);
  await Promise.all(services.map((service) => service.stop('SIGKILL')));
  await unrelated?.cleanup();
  removeDir(dataDir);
});

async function redisCli(port: number, args: readonly string[], password?: string): Promise<string> {
  const auth = password === undefined ? [] : ['--no-auth-warning', '-a', password];
  const { stdout } = await run('redis-cli', ['-p', String(port), ...auth, ...args]);
  return stdout.trim();
}

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Every file and directory under `dir`, with its mode. */
function modesUnder(dir: string): Record<string, string> {
  const modes: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true })) modes[String(entry)] = modeOf(join(dir, String(entry)));
  return modes;
}

/** Resolves true when a TCP connection to host:port is accepted, false when refused. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts a launcher on `env` and waits (bounded) for it to exit. */
async function exitOf(env: Record<string, string>): Promise<{ code: number | null; output: string; elapsedMs: number }> {
  const startedAt = Date.now();
  const service = startService(LAUNCHER_ENTRY, { REDIS_URL: '', LOG_LEVEL: 'info', ...env });
  services.push(service);
  const code = await Promise.race([service.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 30_000))]);
  if (code === 'running') throw new Error(`still running 30 s after start; output:\n${service.output()}`);
  return { code, output: service.output(), elapsedMs: Date.now() - startedAt };
}

describe('a running launcher and its embedded Redis', () => {
  it('starts with REDIS_MAXMEMORY as maxmemory and maxmemory-policy noeviction', { timeout: 120_000 }, async () => {
    launcher = startLauncher({ dataDir, port: await freeLauncherPort(), env: { REDIS_MAXMEMORY: MAXMEMORY } });
    children = await launcher.ready();
    const { port, password } = launcher.embeddedRedis();
    expect(await redisCli(port, ['CONFIG', 'GET', 'maxmemory'], password)).toBe(`maxmemory\n${64 * 1024 * 1024}`);
    expect(await redisCli(port, ['CONFIG', 'GET', 'maxmemory-policy'], password)).toBe('maxmemory-policy\nnoeviction');
    expect(findLog(launcher.process.output(), 'ddup', 'embedded redis-server started')?.maxmemory).toBe(64 * 1024 * 1024);
  });

  it('answers only with the password from the data directory, which no log line shows', async () => {
    if (!launcher) throw new Error('the launcher did not start');
    const { port, password } = launcher.embeddedRedis();
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(await redisCli(port, ['PING'])).toMatch(/^NOAUTH/);
    expect(await redisCli(port, ['PING'], password)).toBe('PONG');
    // The children were given it: the gateway stores events, the consumer pool connected.
    const posted = await postJson(`${launcher.baseUrl}${API}/events`, JSON.stringify(sampleEvent('password')));
    expect(posted.status, posted.text).toBe(202);
    expect(launcher.process.output()).not.toContain(password);
    expect(findLog(launcher.process.output(), 'ddup', 'embedded redis-server started')?.url).toBe(`redis://:***@127.0.0.1:${port}`);
    // Not on redis-server's command line either (readable by any local user in /proc).
    const redisPid = children.redis ?? -1;
    expect(readFileSync(`/proc/${redisPid}/cmdline`, 'utf8')).not.toContain(password);
  });

  it('keeps its data readable by this user only: directory 0700, password, AOF and log 0600', () => {
    const redisDir = join(dataDir, 'redis');
    expect(modeOf(redisDir)).toBe('700');
    expect(modeOf(passwordFile(dataDir))).toBe('600');
    const modes = modesUnder(redisDir);
    expect(Object.keys(modes)).toEqual(expect.arrayContaining(['appendonlydir', 'password', 'redis.log', 'url']));
    expect(Object.keys(modes).filter((name) => name.startsWith('appendonlydir/')).length).toBeGreaterThanOrEqual(3);
    const wrong = Object.entries(modes).filter(([name, mode]) => mode !== (statSync(join(redisDir, name)).isDirectory() ? '700' : '600'));
    expect(wrong).toEqual([]);
  });

  it('lets pnpm dead-letters find it (url and password files) without REDIS_URL', { timeout: 60_000 }, async () => {
    const cli = startService(DDUP_CLI, { REDIS_URL: '', REDIS_CLUSTER_NODES: '', DDUP_DATA_DIR: dataDir }, ['dead-letters', 'list']);
    services.push(cli);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toContain('0 dead letter(s)');
  });

  it('has the gateway listen on 127.0.0.1 only (HOST defaults to loopback under pnpm start)', async () => {
    if (!launcher) throw new Error('the launcher did not start');
    expect(findLog(launcher.process.output(), 'gateway', 'gateway listening')?.host).toBe('127.0.0.1');
    expect(await accepts('127.0.0.1', launcher.port)).toBe(true);
    // Every other address of this machine (IPv6 loopback included) is refused.
    const others = Object.values(networkInterfaces())
      .flatMap((addresses) => addresses ?? [])
      .filter((address) => address.address !== '127.0.0.1' && !address.address.startsWith('fe80:'))
      .map((address) => address.address);
    expect(others.length).toBeGreaterThan(0);
    const reachable = [];
    for (const address of others) if (await accepts(address, launcher.port)) reachable.push(address);
    expect(reachable, `gateway reachable on ${reachable.join(', ')}`).toEqual([]);
  });

  it('refuses a second launcher on the same data directory at once, naming it and the holder; the first keeps working', { timeout: 60_000 }, async () => {
    if (!launcher) throw new Error('the launcher did not start');
    const first = launcher;
    const { code, output, elapsedMs } = await exitOf({ DDUP_DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(code, output).toBe(4);
    expect(output.trim()).toBe(
      `ddup: the data directory ${dataDir} is in use by another ddup launcher (pid ${first.process.pid}); stop it first, or give this one another DDUP_DATA_DIR`,
    );
    console.info(`second launcher refused after ${elapsedMs} ms (process start included)`);
    // It touched nothing: the first one's Redis and children still run and serve.
    expect([children.gateway, children.consumer, children.redis ?? -1].filter((pid) => !isAlive(pid))).toEqual([]);
    expect(await ping(first.embeddedRedis().port, '127.0.0.1', 1000, first.embeddedRedis().password)).toBe(true);
    const posted = await postJson(`${first.baseUrl}${API}/events`, JSON.stringify(sampleEvent('second-launcher')));
    expect(posted.status, posted.text).toBe(202);
    expect(readFileSync(join(dataDir, 'redis', 'url'), 'utf8').trim()).toBe(`redis://127.0.0.1:${first.embeddedRedis().port}`);
  });

  it('releases the data directory when it stops', { timeout: 60_000 }, async () => {
    if (!launcher) throw new Error('the launcher did not start');
    expect(existsSync(join(dataDir, 'ddup.lock'))).toBe(true);
    expect(await launcher.stop('SIGTERM'), launcher.process.output()).toBe(0);
    launcher = undefined;
    expect(existsSync(join(dataDir, 'ddup.lock'))).toBe(false);
  });
});

describe('a redis-server on the recorded port that is not ours', () => {
  it('is left running when a launcher starts (its CONFIG GET dir is another directory)', { timeout: 120_000 }, async () => {
    // As after a launcher killed with SIGKILL whose Redis then went away, its port taken since by
    // an unrelated server: the url file names that port.
    unrelated = await startTestRedis();
    const client = await unrelated.client();
    await client.set('someone-elses', 'data');
    writeFileSync(join(dataDir, 'redis', 'url'), `redis://127.0.0.1:${unrelated.port}\n`);

    launcher = startLauncher({ dataDir, port: await freeLauncherPort() });
    await launcher.ready();
    const output = launcher.process.output();
    expect(output).not.toContain('shutting it down');
    expect(
      findLog(output, 'ddup', 'the redis-server on the port recorded for the embedded Redis is not ours (another data directory); leaving it alone')?.port,
    ).toBe(unrelated.port);
    expect(await ping(unrelated.port)).toBe(true);
    expect(await client.get('someone-elses')).toBe('data');
    expect(launcher.embeddedRedis().port).not.toBe(unrelated.port);
    const posted = await postJson(`${launcher.baseUrl}${API}/events`, JSON.stringify(sampleEvent('unrelated-redis')));
    expect(posted.status, posted.text).toBe(202);

    expect(await launcher.stop('SIGTERM'), launcher.process.output()).toBe(0);
    launcher = undefined;
    expect(await ping(unrelated.port)).toBe(true);
  });
});
