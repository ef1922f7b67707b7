import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessRunning, processStartTime } from './process-identity.ts';

/** Another launcher owns this data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the data directory ${dataDir} is in use by another ddup launcher (pid ${pid}); stop it first, or give this one another DDUP_DATA_DIR`);
    this.name = 'DataDirLockedError';
  }
}

interface LockRecord {
  readonly pid: number;
  /** The holder's start time (see processStartTime), so that a reused pid is not taken for it. */
  readonly started?: string;
  /** Makes each lock file's content unique, to recognise it after a rename. */
  readonly nonce: string;
}

export function lockFileOf(dataDir: string): string {
  return join(dataDir, 'ddup.lock');
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, started, nonce } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof nonce !== 'string') return undefined;
    return { pid, nonce, ...(typeof started === 'string' ? { started } : {}) };
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates the lock file with `content` if there is none (O_CREAT|O_EXCL); false if there is one. */
function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes the lock file if it still holds `stale`, the content of a dead holder's lock. Another
 * launcher may have taken the stale lock over since it was read, so it is renamed away first
 * (atomic) and looked at: if what was renamed is not the stale lock, it is put back with link(2),
 * which fails rather than overwrite a lock created meanwhile.
 */
function removeStale(file: string, stale: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
    throw error;
  }
  try {
    if (readText(aside) !== stale) linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/** Held while the launcher runs; release() removes the lock file if it is still this one's. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Makes this process the only launcher on `dataDir`, before anything starts on it.
 *
 * Why a pid file: Node has no flock(2), and a lock must survive its holder's SIGKILL gracefully.
 * The file is created with O_EXCL (atomic: of two launchers exactly one creates it) and records the
 * holder's pid and start time. A file whose holder no longer runs (killed, crashed, or the machine
 * rebooted) is stale and taken over; the start time keeps a pid reused by an unrelated process from
 * passing for the holder. The takeover is safe against a second launcher doing the same at once
 * (see removeStale). Left open: a third launcher creating the file between that rename and the
 * link, within microseconds of two others finding the same stale lock.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockFileOf(dataDir);
  const content = `${JSON.stringify({ pid: process.pid, started: processStartTime(process.pid), nonce: randomBytes(8).toString('hex') })}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(file, content)) {
      return {
        file,
        release() {
          if (readText(file) === content) rmSync(file, { force: true });
        },
      };
    }
    const existing = readText(file);
    if (existing === undefined) continue; // released meanwhile
    const holder = parseRecord(existing);
    if (holder && holder.pid !== process.pid && isProcessRunning(holder.pid, holder.started)) throw new DataDirLockedError(dataDir, holder.pid);
    if (!holder) {
      // Empty or partial: its creator may be writing it this instant. Give it a moment, then treat it as stale.
      if (attempt < 10) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        continue;
      }
    }
    removeStale(file, existing);
  }
  throw new Error(`cannot take the lock ${file}: it keeps changing`);
}
