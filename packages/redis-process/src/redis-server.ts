import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';
import { ping } from './ping.ts';

export type AppendFsync = 'always' | 'everysec' | 'no';

export interface RedisServerOptions {
  /** The redis-server executable. */
  readonly bin: string;
  /** Data directory (AOF, log); created if missing. */
  readonly dir: string;
  /** Port; a free one when omitted. */
  readonly port?: number;
  /** Keep an append-only file so data survives a restart (default true). */
  readonly appendOnly?: boolean;
  /** When the AOF is fsynced (default everysec). */
  readonly appendFsync?: AppendFsync;
  /** More `--name value` arguments, e.g. ['--cluster-enabled', 'yes']. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the server to answer PING (default 15 s; AOF replay can take a while). */
  readonly readyTimeoutMs?: number;
  /**
   * `requirepass`: clients must AUTH with it. Handed to redis-server on its standard input (config
   * from stdin, `-`), never on its command line, which any local user can read in /proc.
   */
  readonly password?: string;
  /**
   * The file-mode creation mask of the redis-server process (e.g. 0o077: its AOF files, rewrites
   * and log are created readable by this user only). Unset: this process's own.
   */
  readonly umask?: number;
}

/** A redis-server process this program started and owns. */
export interface RunningRedisServer {
  readonly port: number;
  /** redis://127.0.0.1:port, with the password when there is one: keep it out of logs. */
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  readonly options: RedisServerOptions;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** SIGTERM: Redis flushes and fsyncs its AOF, then exits. SIGKILL after `timeoutMs`. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
  /** Sends a signal (SIGKILL to simulate a crash) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const LOG_FILE = 'redis.log';

function argsFor(options: RedisServerOptions, port: number): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.dir,
    '--logfile',
    LOG_FILE,
    '--daemonize',
    'no',
    '--save',
    '',
    '--appendonly',
    options.appendOnly === false ? 'no' : 'yes',
    '--appendfsync',
    options.appendFsync ?? 'everysec',
    ...(options.extraArgs ?? []),
    // Last: read more configuration from stdin (the password).
    ...(options.password === undefined ? [] : ['-']),
  ];
}

function configFromStdin(options: RedisServerOptions): string | undefined {
  if (options.password === undefined) return undefined;
  if (!/^[\x21-\x7e]+$/.test(options.password) || /["\\]/.test(options.password)) {
    throw new Error('the redis-server password must be printable ASCII without spaces, quotes or backslashes');
  }
  return `requirepass "${options.password}"\n`;
}

/** Spawns with the given umask: the child inherits it at fork, and spawn forks before it returns. */
function spawnWithUmask(options: RedisServerOptions, port: number): ChildProcess {
  const spawnIt = () =>
    // Its own process group: a Ctrl-C in the terminal reaches only the owner, which stops Redis last.
    spawn(options.bin, argsFor(options, port), { stdio: [options.password === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'], detached: true });
  if (options.umask === undefined) return spawnIt();
  const previous = process.umask(options.umask);
  try {
    return spawnIt();
  } finally {
    process.umask(previous);
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, LOG_FILE), 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}

async function startOnce(options: RedisServerOptions, port: number): Promise<RunningRedisServer | 'port-taken'> {
  const stdinConfig = configFromStdin(options);
  const child = spawnWithUmask(options, port);
  child.stdin?.on('error', () => undefined); // a server that dies at once closes its end first
  child.stdin?.end(stdinConfig);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = exitOf(child);
  let dead = false;
  void exited.then(() => (dead = true));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  while (!(await ping(port, '127.0.0.1', 1000, options.password))) {
    const failure = await Promise.race([spawnFailed, sleep(50).then(() => undefined)]);
    if (failure) throw new Error(`cannot start ${options.bin}: ${failure.message}`);
    if (dead) {
      const log = logTail(options.dir);
      if (/address already in use/i.test(log + stderr)) return 'port-taken';
      throw new Error(`redis-server exited during start-up (port ${port}):\n${stderr.trim() || log}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING in time:\n${logTail(options.dir)}`);
    }
  }

  const kill = async (signal: NodeJS.Signals) => {
    if (!dead) child.kill(signal);
    await exited;
  };
  let stopping: Promise<void> | undefined;
  return {
    port,
    url: options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    dir: options.dir,
    pid: child.pid ?? -1,
    options,
    exited,
    kill,
    stop(timeoutMs = 10_000) {
      stopping ??= (async () => {
        if (dead) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Starts redis-server and resolves once it answers PING. Retries on another port if one is taken. */
export async function startRedisServer(options: RedisServerOptions): Promise<RunningRedisServer> {
  mkdirSync(options.dir, { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    const started = await startOnce(options, port);
    if (started !== 'port-taken') return started;
    if (options.port !== undefined) throw new Error(`port ${port} is already in use`);
  }
  throw new Error('could not find a free port for redis-server');
}
