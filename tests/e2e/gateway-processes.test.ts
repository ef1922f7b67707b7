/**
 * `pnpm start` with GATEWAY_PROCESSES=2 (node:cluster under one gateway primary) and with
 * GATEWAY_RUNTIME=bun: real launcher, real gateway processes sharing one port, real signals.
 * /metrics must add every process's counts up, whichever process answers the scrape; a worker that
 * dies is replaced; Ctrl-C stops them all.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBunBinary } from '@ddup/redis-process';
import { eventually, freeLauncherPort, sampleEvent } from '@ddup/test-utils';
import {
  API,
  type Launcher,
  type LauncherChildren,
  childProcessesOf,
  cleanupLauncher,
  isAlive,
  makeTempDir,
  removeDir,
  startLauncher,
} from './ddup-process.ts';

/** A POST on a connection of its own (no keep-alive), so that the primary hands each to the next process. */
function postOnNewConnection(baseUrl: string, path: string, body: string, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = request(url, { method: 'POST', agent: false, timeout: timeoutMs, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.end(body);
  });
}

function getOnNewConnection(baseUrl: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request(new URL(path, baseUrl), { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
}

function acceptedCount(metrics: string): number {
  const line = metrics.split('\n').find((text) => text.startsWith('ddup_events_total{outcome="accepted",route="single",tenant="default"}'));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

const gatewayProcessesOf = (primary: number) => childProcessesOf(primary).filter((child) => /apps\/gateway\/src\/main(-bun)?\.ts/.test(child.command));

describe('GATEWAY_PROCESSES=2 on Node', () => {
  let dataDir: string;
  let launcher: Launcher | undefined;
  let children: LauncherChildren;

  beforeAll(async () => {
    dataDir = makeTempDir('ddup-e2e-processes-');
    launcher = startLauncher({ dataDir, port: await freeLauncherPort(), env: { GATEWAY_PROCESSES: '2' } });
    children = await launcher.ready();
    await eventually('two gateway processes', async () => gatewayProcessesOf(children.gateway).length === 2);
  });

  afterAll(async () => {
    await cleanupLauncher(launcher);
    removeDir(dataDir);
  });

  it('serves one port from two processes and adds their counts up on every scrape', async () => {
    if (!launcher) throw new Error('no launcher');
    const base = launcher.baseUrl;
    for (let i = 0; i < 30; i++) {
      const answer = await postOnNewConnection(base, `${API}/events`, JSON.stringify(sampleEvent(`processes-${i}`)));
      expect(answer.status).toBe(202);
    }
    // Each scrape on a connection of its own lands on either process; each must see all 30.
    for (let i = 0; i < 4; i++) expect(acceptedCount(await getOnNewConnection(base, '/metrics'))).toBe(30);
  });

  it('replaces a gateway process that dies, and keeps serving meanwhile', async () => {
    if (!launcher) throw new Error('no launcher');
    const before = gatewayProcessesOf(children.gateway).map((child) => child.pid);
    const victim = before[0];
    if (victim === undefined) throw new Error('no gateway process');
    process.kill(victim, 'SIGKILL');
    // As a client with a timeout would: a connection the primary handed to the process at the
    // instant it died is lost with it (node:cluster), and the retry is served by the other.
    const event = JSON.stringify(sampleEvent('while-one-died'));
    let answer: { status: number } | undefined;
    for (let attempt = 0; attempt < 3 && answer === undefined; attempt++) {
      answer = await postOnNewConnection(launcher.baseUrl, `${API}/events`, event, 5_000).catch(() => undefined);
    }
    expect(answer?.status).toBe(202);
    await eventually('a new gateway process', async () => {
      const now = gatewayProcessesOf(children.gateway).map((child) => child.pid);
      return now.length === 2 && !now.includes(victim);
    });
    expect(isAlive(children.gateway)).toBe(true);
  });

  it('stops every gateway process on Ctrl-C and exits 0', async () => {
    if (!launcher) throw new Error('no launcher');
    const processes = gatewayProcessesOf(children.gateway).map((child) => child.pid);
    expect(await launcher.stop('SIGINT')).toBe(0);
    for (const pid of [children.gateway, ...processes]) expect(isAlive(pid)).toBe(false);
    launcher = undefined;
  });
});

const bunBinary = findBunBinary(new URL('../../apps/gateway/package.json', import.meta.url));

describe.skipIf(bunBinary === undefined)('GATEWAY_RUNTIME=bun (skipped: the bun package is not installed for this platform)', () => {
  let dataDir: string;
  let launcher: Launcher | undefined;

  beforeAll(() => {
    dataDir = makeTempDir('ddup-e2e-bun-');
  });

  afterAll(async () => {
    await cleanupLauncher(launcher);
    removeDir(dataDir);
  });

  it('runs the gateway on Bun, two processes, under pnpm start', async () => {
    launcher = startLauncher({ dataDir, port: await freeLauncherPort(), env: { GATEWAY_RUNTIME: 'bun', GATEWAY_PROCESSES: '2' } });
    const children = await launcher.ready();
    expect(childProcessesOf(launcher.process.pid).find((child) => child.pid === children.gateway)?.command).toMatch(/bun.* \S+main-bun\.ts$/);
    await eventually('two gateway processes', async () => gatewayProcessesOf(children.gateway).length === 2);
    const event = JSON.stringify(sampleEvent('on-bun'));
    expect((await postOnNewConnection(launcher.baseUrl, `${API}/events`, event)).status).toBe(202);
    expect((await postOnNewConnection(launcher.baseUrl, `${API}/events`, event)).status).toBe(409);
    for (let i = 0; i < 3; i++) expect(acceptedCount(await getOnNewConnection(launcher.baseUrl, '/metrics'))).toBe(1);
    expect(await launcher.stop('SIGINT')).toBe(0);
    launcher = undefined;
  });
});

describe('gateway settings of the launcher', () => {
  it('exits 3 naming BUN_BIN when GATEWAY_RUNTIME=bun has no bun to run, before starting anything', async () => {
    const dataDir = makeTempDir('ddup-e2e-nobun-');
    const launcher = startLauncher({ dataDir, port: await freeLauncherPort(), env: { GATEWAY_RUNTIME: 'bun', BUN_BIN: '/nonexistent/bun' } });
    try {
      expect(await launcher.process.exited).toBe(3);
      expect(launcher.process.output()).toContain('/nonexistent/bun');
      expect(launcher.process.output()).not.toContain('embedded redis-server started');
    } finally {
      await cleanupLauncher(launcher);
      removeDir(dataDir);
    }
  });

  it('exits 2 naming GATEWAY_PROCESSES when it is neither a number nor auto', async () => {
    const dataDir = makeTempDir('ddup-e2e-badprocesses-');
    const launcher = startLauncher({ dataDir, port: await freeLauncherPort(), env: { GATEWAY_PROCESSES: 'many' } });
    try {
      expect(await launcher.process.exited).toBe(2);
      expect(launcher.process.output()).toMatch(/GATEWAY_PROCESSES.*must be auto or a whole number from 1 to 64/);
    } finally {
      await cleanupLauncher(launcher);
      removeDir(dataDir);
    }
  });
});
