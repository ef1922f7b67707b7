import { spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { findExecutable } from '@ddup/redis-process';
import { startServerOnFreePort } from './server-on-free-port.ts';
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

/** Runs initdb into `data` (as `user` when given); throws with its output when it fails. */
async function initdb(bin: string, data: string, cwd: string, user: { uid: number; gid: number } | undefined): Promise<void> {
  const args = ['-D', data, '-U', 'ddup', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
  const run = startProcess(join(bin, 'initdb'), args, { env: ENV, cwd, ...(user ? { user } : {}) });
  if ((await run.exited) !== 0) throw new Error(`initdb failed:\n${run.output()}`);
}

/**
 * A fresh cluster's data directory, initdb'd once per machine and user and copied from then on
 * (initdb takes seconds on a busy machine, a copy a fraction of one). Made under a temporary name
 * and renamed into place, so test files starting at once never see half of one.
 */
async function clusterTemplate(bin: string, user: { uid: number; gid: number } | undefined): Promise<string> {
  const version = basename(dirname(bin));
  const template = join(tmpdir(), `ddup-postgres-template-${version}-${user?.uid ?? process.getuid?.() ?? 'u'}`);
  if (existsSync(join(template, 'data', 'PG_VERSION'))) return template;
  const building = mkdtempSync(`${template}-building-`);
  if (user) chownSync(building, user.uid, user.gid);
  try {
    await initdb(bin, join(building, 'data'), building, user);
    renameSync(building, template);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    // Another test file finished first: use its template.
    if (!existsSync(join(template, 'data', 'PG_VERSION'))) throw error;
  }
  return template;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBinDir();
  const user = serverUser();
  const template = await clusterTemplate(bin, user);
  const dir = mkdtempSync(join(tmpdir(), 'ddup-postgres-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  // cp -a keeps the owner and the 0700 mode PostgreSQL insists on.
  const copy = spawnSync('cp', ['-a', join(template, 'data'), data], { encoding: 'utf8' });
  if (copy.status !== 0) {
    cleanUp();
    throw new Error(`cannot copy the cluster template ${template}: ${copy.stderr}`);
  }
  // Durability settings off: a test cluster is thrown away, and this keeps it quick.
  const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=40', 'shared_buffers=16MB'];
  const server = await startServerOnFreePort({
    command: join(bin, 'postgres'),
    args: (port) => ['-D', data, '-p', String(port), '-k', dir, ...settings.flatMap((setting) => ['-c', setting])],
    env: ENV,
    cwd: dir,
    ...(user ? { user } : {}),
    ready: /database system is ready to accept connections/,
    portTaken: /already in use|could not bind/i,
    stopSignal: 'SIGINT', // fast shutdown
    cleanUp,
  });
  return { url: `postgres://ddup@127.0.0.1:${server.port}/postgres`, port: server.port, pid: server.pid, stop: server.stop };
}
