import { accessSync, chownSync, constants, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findExecutable, freePort } from '@ddup/redis-process';
import { startProcess } from './service-process.ts';

/** A PostgreSQL cluster this test initdb'd in a temporary directory and started on a free port. */
export interface TestPostgres {
  /** postgres://ddup@127.0.0.1:port/postgres (trust authentication: no password). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Fast shutdown (SIGKILL if it lingers), then removes the cluster's directory. Idempotent. */
  stop(): Promise<void>;
}

const READY = /database system is ready to accept connections/;
const ENV = { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The directory holding initdb and postgres: Debian's /usr/lib/postgresql/<newest>/bin (not on
 * PATH there), else where initdb on PATH really lives (PATH may hold symlinks or wrappers).
 */
export function findPostgresBinDir(): string {
  const versions = (() => {
    try {
      return readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    } catch {
      return [];
    }
  })();
  const onPath = findExecutable('initdb', process.env.PATH);
  const candidates = [
    ...versions.map((version) => join('/usr/lib/postgresql', version, 'bin')),
    ...(onPath ? [dirname(realpathSync(onPath)), dirname(onPath)] : []),
  ];
  const found = candidates.find((dir) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres')));
  if (found === undefined)
    throw new Error(`initdb and postgres not found (looked in ${candidates.join(', ') || '/usr/lib/postgresql/*/bin and PATH'}); apt-get install postgresql`);
  return found;
}

/** PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` user (or nobody). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields?.[2] !== undefined && fields[3] !== undefined) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as');
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'ddup-postgres-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  const initdb = startProcess(join(bin, 'initdb'), ['-D', data, '-U', 'ddup', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    env: ENV,
    cwd: dir,
    ...(user ? { user } : {}),
  });
  if ((await initdb.exited) !== 0) {
    cleanUp();
    throw new Error(`initdb failed:\n${initdb.output()}`);
  }
  for (let tries = 1; ; tries += 1) {
    const port = await freePort();
    // Durability settings off: a test cluster is thrown away, and this keeps it quick.
    const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=40', 'shared_buffers=16MB'];
    const args = ['-D', data, '-p', String(port), '-k', dir, ...settings.flatMap((setting) => ['-c', setting])];
    const server = startProcess(join(bin, 'postgres'), args, { env: ENV, cwd: dir, ...(user ? { user } : {}) });
    try {
      await server.waitForOutput(READY, 20_000);
    } catch (error) {
      await server.stop('SIGKILL');
      if (tries < 3 && /already in use|could not bind/i.test(server.output())) continue;
      cleanUp();
      throw error;
    }
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://ddup@127.0.0.1:${port}/postgres`,
      port,
      pid: server.pid,
      stop() {
        stopped ??= (async () => {
          const timer = setTimeout(() => void server.stop('SIGKILL'), 5000);
          await server.stop('SIGINT');
          clearTimeout(timer);
          cleanUp();
        })();
        return stopped;
      },
    };
  }
}
