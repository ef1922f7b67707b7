/**
 * What a person sees in the terminal of `pnpm start`: the launcher run on a real pseudo-terminal
 * (util-linux `script`), so LOG_FORMAT=auto picks readable lines and the banner; and what tools
 * read when the output is not a terminal: JSON lines, one `pid` key each, every URL in the
 * "ddup is ready" record.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freeLauncherPort } from '@ddup/test-utils';
import { LAUNCHER_ENTRY, type Launcher, cleanupLauncher, findLog, makeTempDir, removeDir, startLauncher } from './ddup-process.ts';

// ANSI colour codes (ESC [ … m), which pino-pretty writes on a terminal.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

describe('on a terminal (LOG_FORMAT=auto)', () => {
  let dataDir: string;
  let output = '';
  let exitCode: number | null = null;
  let port: number;

  beforeAll(async () => {
    dataDir = makeTempDir('ddup-e2e-terminal-');
    port = await freeLauncherPort();
    // `script` gives the launcher (and so its children, which share its output) a pseudo-terminal.
    const command = `exec ${process.execPath} --import tsx ${LAUNCHER_ENTRY}`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      env: { ...process.env, PORT: String(port), DDUP_DATA_DIR: dataDir, REDIS_URL: '', LOG_FORMAT: 'auto', COLUMNS: '200' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        resolve();
      }),
    );
    try {
      await eventually('the banner', async () => output.includes('Ctrl-C stops everything'), 90_000);
      // The consumer says "redis ready" a moment after the pool starts.
      await eventually('the consumer connected', async () => /consumer: redis ready/.test(output), 30_000);
    } finally {
      // Ctrl-C as a terminal sends it: to the launcher's process group.
      child.stdin.write('\u0003');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      if (exitCode === null) child.kill('SIGKILL');
    }
  }, 150_000);

  afterAll(() => removeDir(dataDir));

  it('prints readable lines, not JSON', () => {
    const lines = output
      .replace(ANSI, '')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');
    expect(lines.filter((line) => line.trimStart().startsWith('{"level"'))).toEqual([]);
    expect(lines.some((line) => /^\[\d\d:\d\d:\d\d\] INFO: gateway: gateway listening/.test(line))).toBe(true);
  });

  it('shows a banner with every URL, where Redis is, and whether tenants and the admin API are on', () => {
    const text = output.replace(ANSI, '');
    const base = `http://127.0.0.1:${port}`;
    for (const url of [`${base}/api/v1/ddup_service/events`, `${base}/dashboard`, `${base}/docs`, `${base}/metrics`, `http://127.0.0.1:${port + 1}/metrics`]) {
      expect(text).toContain(url);
    }
    expect(text).toMatch(/Redis\s+embedded redis-server, redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    expect(text).toMatch(/tenants\s+off/);
    expect(text).toMatch(/admin API\s+off/);
  });

  it('says "redis ready" once per process, not once per consumer', () => {
    const text = output.replace(ANSI, '');
    expect(text.match(/gateway: redis ready/g)).toHaveLength(1);
    expect(text.match(/consumer: redis ready/g)).toHaveLength(1);
  });

  it('stops on Ctrl-C with status 0', () => {
    expect(exitCode).toBe(0);
  });
});

describe('not on a terminal', () => {
  let dataDir: string;
  let launcher: Launcher | undefined;

  beforeAll(async () => {
    dataDir = makeTempDir('ddup-e2e-json-');
    launcher = startLauncher({ dataDir, port: await freeLauncherPort(), env: { LOG_FORMAT: 'auto' } });
    await launcher.ready();
  });

  afterAll(async () => {
    await cleanupLauncher(launcher);
    removeDir(dataDir);
  });

  it('writes JSON lines, one pid key each, and every URL in "ddup is ready"', () => {
    const output = launcher?.process.output() ?? '';
    const lines = output.split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line.match(/"pid":/g) ?? []).toHaveLength(1);
    const ready = findLog(output, 'ddup', 'ddup is ready');
    const base = launcher?.baseUrl ?? '';
    expect(ready).toMatchObject({
      api: `${base}/api/v1/ddup_service/events`,
      dashboard: `${base}/dashboard`,
      docs: `${base}/docs`,
      metrics: `${base}/metrics`,
      tenants: false,
      admin: false,
      gatewayProcesses: 1,
      runtime: 'node',
    });
  });
});
