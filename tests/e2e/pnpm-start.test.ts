/**
 * The root `start` script run by pnpm itself, as a user runs it: Ctrl-C in a terminal (SIGINT to
 * the whole foreground process group: pnpm, and the launcher) and a process manager's SIGTERM to
 * pnpm alone both stop everything in order, exit 0 and print no failure. A shell between pnpm and
 * the launcher (`sh -c node ...`) kills itself with SIGINT after its child exits, even cleanly,
 * and dies at once of SIGTERM without passing it on; pnpm then prints ELIFECYCLE and exits 130.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freeLauncherPort } from '@ddup/test-utils';
import { REPO_ROOT, childProcessesOf, findLog, isAlive, logRecords, makeTempDir, removeDir } from './ddup-process.ts';

const PNPM = 'pnpm@10.34.9';
const FAILURE = /ELIFECYCLE|failed/i;

let pnpmBin: string;
let dataDir: string;
const leftovers: number[] = [];

beforeAll(() => {
  // The pnpm executable `npx -y pnpm@10.34.9` runs (from npx's cache).
  pnpmBin = execFileSync('npx', ['-y', '-p', PNPM, '-c', 'command -v pnpm'], { encoding: 'utf8' }).trim();
  dataDir = makeTempDir('ddup-e2e-pnpm-');
}, 60_000);

afterAll(() => {
  for (const pid of leftovers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  removeDir(dataDir);
});

interface Started {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `command args` in a process group of its own, as a shell runs a foreground job, in the repository root. */
function startGroup(command: string, args: readonly string[], port: number): Started {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, DDUP_DATA_DIR: dataDir, PORT: String(port), REDIS_URL: '', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Waits for "ddup is ready" and remembers every process the launcher owns, to kill them if the test fails. */
async function ready(started: Started): Promise<number> {
  await eventually('ddup is ready', () => findLog(started.output(), 'ddup', 'ddup is ready') !== undefined, 90_000).catch((error: unknown) => {
    throw new Error(`${String(error)}; output:\n${started.output()}`);
  });
  const launcherPid = Number(findLog(started.output(), 'ddup', 'ddup is ready')?.pid);
  const redisPid = Number(findLog(started.output(), 'ddup', 'embedded redis-server started')?.childPid);
  leftovers.push(launcherPid, redisPid, ...childProcessesOf(launcherPid).map((child) => child.pid));
  return launcherPid;
}

async function exitWithin(started: Started, timeoutMs: number) {
  const result = await Promise.race([started.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), timeoutMs))]);
  if (result === 'running') throw new Error(`still running ${timeoutMs} ms after the signal; output:\n${started.output()}`);
  return result;
}

/** The launcher stopped everything in order, and no error was logged. */
function expectCleanStop(output: string): void {
  const stops = logRecords(output)
    .filter((record) => record.name === 'ddup' && record.message.endsWith('stopped'))
    .map((record) => record.message);
  expect(stops, output).toEqual(['gateway stopped', 'consumer stopped', 'embedded redis-server stopped']);
  expect(
    logRecords(output).filter((record) => record.level === 'error'),
    output,
  ).toEqual([]);
}

describe(`the root start script run by ${PNPM}`, () => {
  it('Ctrl-C (SIGINT to the process group): exit 0, no ELIFECYCLE, no "failed"', { timeout: 150_000 }, async () => {
    const started = startGroup(pnpmBin, ['start'], await freeLauncherPort());
    const launcherPid = await ready(started);
    process.kill(-(started.child.pid ?? 0), 'SIGINT');
    const { code, signal } = await exitWithin(started, 60_000);
    const output = started.output();
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    expect(output).not.toMatch(FAILURE);
    expectCleanStop(output);
    expect(isAlive(launcherPid)).toBe(false);
  });

  it('SIGTERM to pnpm alone (a process manager): passed on to the launcher, exit 0, no failure', { timeout: 150_000 }, async () => {
    const started = startGroup(pnpmBin, ['start'], await freeLauncherPort());
    const launcherPid = await ready(started);
    started.child.kill('SIGTERM');
    const { code, signal } = await exitWithin(started, 60_000);
    const output = started.output();
    expect({ code, signal }, output).toEqual({ code: 0, signal: null });
    expect(output).not.toMatch(FAILURE);
    expect(findLog(output, 'ddup', 'shutting down')?.signal).toBe('SIGTERM');
    expectCleanStop(output);
    expect(isAlive(launcherPid)).toBe(false);
  });
});

describe(`npx -y ${PNPM} start`, () => {
  it('Ctrl-C: stops everything in order and prints no failure (npm exec itself then dies of SIGINT)', { timeout: 150_000 }, async () => {
    const started = startGroup('npx', ['-y', PNPM, 'start'], await freeLauncherPort());
    const launcherPid = await ready(started);
    process.kill(-(started.child.pid ?? 0), 'SIGINT');
    const { code, signal } = await exitWithin(started, 60_000);
    const output = started.output();
    expect(output).not.toMatch(FAILURE);
    expectCleanStop(output);
    expect(isAlive(launcherPid)).toBe(false);
    // npm exec runs pnpm through `sh -c`, and /bin/sh (dash here) re-raises SIGINT on itself after
    // its child exits; npm then re-raises it on itself (status 130 in a shell) whatever pnpm's
    // status. Nothing under npm can change that: recorded, not asserted.
    console.info(`npx -y ${PNPM} start after SIGINT: exit code ${code}, signal ${signal}`);
  });
});
