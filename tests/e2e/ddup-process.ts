/**
 * Helpers for the end-to-end tests: the real `ddup` launcher as a process (which starts the gateway,
 * the consumer pool and, without REDIS_URL, an embedded redis-server), its JSON log lines, and the
 * processes it owns. Nothing here mocks anything: every check goes to a real process or Redis.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@redis/client';
import { CONSUMER_GROUP, eventsStreamKey, groupsOfStream } from '@ddup/store';
import { type ServiceProcess, eventually, rememberedEvent as rememberedEventIn, seenState as seenStateIn, startService } from '@ddup/test-utils';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LAUNCHER_ENTRY = join(REPO_ROOT, 'apps/ddup/src/main.ts');
export const GATEWAY_ENTRY = join(REPO_ROOT, 'apps/gateway/src/main.ts');
export const CONSUMER_ENTRY = join(REPO_ROOT, 'apps/consumer/src/main.ts');

export const API = '/api/v1/ddup_service';
export const EVENTS_STREAM = eventsStreamKey(0);
export { CONSUMER_GROUP };
export const SEVEN_DAYS_SECONDS = 604_800;

/** What the index holds of `hash`, read as the launcher's defaults lay it out (one shard, 7 days): 'pending', 'processed' or null. */
export const seenState = (client: TestClient, hash: string) => seenStateIn(client, hash, { windowSeconds: SEVEN_DAYS_SECONDS });

/** What the index remembers of `hash` (state, first seen, expiry), read as `seenState` reads it, or undefined. */
export const rememberedEvent = (client: TestClient, hash: string) => rememberedEventIn(client, hash, { windowSeconds: SEVEN_DAYS_SECONDS });

/** How long a start-up may take on a busy 2-core machine (tsx compiles three entry points). */
export const READY_TIMEOUT_MS = 90_000;

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** One JSON log line (`{time, level, name, message, ...fields}`) of a ddup process. */
export interface LogRecord {
  readonly level: string;
  readonly name: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

function isLogRecord(value: unknown): value is LogRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).name === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  );
}

/** Every line of `output` that is a JSON log record; other lines (plain errors) are skipped. */
export function logRecords(output: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isLogRecord(parsed)) records.push(parsed);
    } catch {
      // a partial line: the process is still writing it
    }
  }
  return records;
}

export function findLog(output: string, name: string, message: string): LogRecord | undefined {
  return logRecords(output).find((record) => record.name === name && record.message === message);
}

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** The pids whose parent is `pid`, with their command lines (Linux /proc). */
export function childProcessesOf(pid: number): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      children.push({ pid: Number(entry), command });
    } catch {
      // the process went away while we looked
    }
  }
  return children;
}

/** The processes a running launcher owns, found from its log and /proc. */
export interface LauncherChildren {
  readonly gateway: number;
  readonly consumer: number;
  readonly redis: number | undefined;
  /** Every direct child seen, including helpers such as esbuild. */
  readonly all: readonly number[];
}

/** The embedded Redis of a running launcher. */
export interface EmbeddedRedis {
  readonly url: string;
  readonly port: number;
  readonly password: string;
  readonly pid: number;
}

/** Where the launcher keeps the embedded Redis's password. */
export function passwordFile(dataDir: string): string {
  return join(dataDir, 'redis', 'password');
}

/** A launcher process started by a test, with its data directory and port. */
export interface Launcher {
  readonly process: ServiceProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Resolves once "ddup is ready" was logged; the children are read then. */
  ready(timeoutMs?: number): Promise<LauncherChildren>;
  /**
   * The embedded redis-server's URL (with its password), port, password and pid: from the
   * "embedded redis-server started" line (which hides the password) and `<data dir>/redis/password`.
   */
  embeddedRedis(): EmbeddedRedis;
  /** Signals the launcher and waits (bounded) for its exit; kills everything it owned if it hangs. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** SIGKILLs the launcher and every child it was seen with, if still alive. */
  killLeftovers(): void;
}

export function startLauncher(options: { dataDir: string; port: number; env?: Record<string, string> }): Launcher {
  const service = startService(LAUNCHER_ENTRY, {
    DDUP_DATA_DIR: options.dataDir,
    PORT: String(options.port),
    // Empty counts as unset: the launcher starts its own redis-server whatever this shell has.
    REDIS_URL: '',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  let children: LauncherChildren | undefined;

  const embeddedRedis = () => {
    const record = findLog(service.output(), 'ddup', 'embedded redis-server started');
    if (!record || typeof record.url !== 'string' || typeof record.childPid !== 'number') {
      throw new Error(`no "embedded redis-server started" line with url and pid; output:\n${service.output()}`);
    }
    const port = Number(new URL(record.url).port);
    const password = readFileSync(passwordFile(options.dataDir), 'utf8').trim();
    return { url: `redis://:${password}@127.0.0.1:${port}`, port, password, pid: record.childPid };
  };

  const killLeftovers = () => {
    for (const pid of [service.pid, ...(children?.all ?? [])]) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  };

  return {
    process: service,
    port: options.port,
    baseUrl: `http://127.0.0.1:${options.port}`,
    embeddedRedis,
    killLeftovers,
    async ready(timeoutMs = READY_TIMEOUT_MS) {
      await service.waitForOutput(/"message":"ddup is ready"/, timeoutMs);
      const direct = childProcessesOf(service.pid);
      const gateway = direct.find((child) => /apps\/gateway\/src\/main(-bun)?\.ts/.test(child.command))?.pid;
      const consumer = direct.find((child) => child.command.includes('apps/consumer/src/main.ts'))?.pid;
      if (gateway === undefined || consumer === undefined) {
        throw new Error(`launcher ${service.pid} has no gateway or consumer child: ${JSON.stringify(direct)}`);
      }
      const redis = findLog(service.output(), 'ddup', 'embedded redis-server started') ? embeddedRedis().pid : undefined;
      children = { gateway, consumer, redis, all: direct.map((child) => child.pid) };
      return children;
    },
    async stop(signal, timeoutMs = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const result = await Promise.race([service.stop(signal), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        killLeftovers();
        throw new Error(`launcher did not exit within ${timeoutMs} ms of ${signal}; output:\n${service.output()}`);
      }
      return result;
    },
  };
}

/** Stops a launcher in afterAll whatever state a failed test left it in; never throws. */
export async function cleanupLauncher(launcher: Launcher | undefined): Promise<void> {
  if (!launcher) return;
  await launcher.stop('SIGTERM', 30_000).catch(() => undefined);
  launcher.killLeftovers();
}

function createTestClient(url: string) {
  return createClient({ url, RESP: 2 });
}

export type TestClient = ReturnType<typeof createTestClient>;

/** A plain RESP2 client for assertions against a Redis some process of the test started. */
export async function connectClient(url: string): Promise<TestClient> {
  const client = createTestClient(url);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** One consumer group as `XINFO GROUPS` describes it (RESP2: a flat name/value list per group). */
export interface GroupInfo {
  readonly name: string;
  readonly consumers: number;
  readonly pending: number;
  /** null when Redis cannot tell (after some XDEL/XTRIM cases). */
  readonly lag: number | null;
  readonly [field: string]: string | number | null;
}

export async function consumerGroups(client: TestClient, stream: string): Promise<GroupInfo[]> {
  let groups: Record<string, unknown>[];
  try {
    groups = await groupsOfStream(client, stream);
  } catch (error) {
    // The stream does not exist yet.
    if (error instanceof Error && /no such key/i.test(error.message)) return [];
    throw error;
  }
  return groups.map((group) => {
    const fields: Record<string, string | number | null> = {};
    for (const [name, value] of Object.entries(group)) fields[name] = typeof value === 'number' || value === null ? value : String(value);
    return {
      ...fields,
      name: String(fields.name),
      consumers: Number(fields.consumers),
      pending: Number(fields.pending),
      lag: fields.lag === null || fields.lag === undefined ? null : Number(fields.lag),
    };
  });
}

export async function workersGroup(client: TestClient): Promise<GroupInfo | undefined> {
  return (await consumerGroups(client, EVENTS_STREAM)).find((group) => group.name === CONSUMER_GROUP);
}

/** Waits until ddup-workers has lag 0 and nothing pending; on a timeout the error shows the last XINFO GROUPS. */
export async function untilAllConfirmed(client: TestClient, what: string, timeoutMs = 60_000): Promise<void> {
  let lastGroup = '';
  await eventually(
    what,
    async () => {
      const group = await workersGroup(client);
      lastGroup = JSON.stringify(group);
      return group?.lag === 0 && group.pending === 0;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; last XINFO GROUPS: ${lastGroup}`);
  });
}
