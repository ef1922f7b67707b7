import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The embedded Redis's own directory in the data directory: AOF, log, password, url. */
export function redisDirOf(dataDir: string): string {
  return join(dataDir, 'redis');
}

/** Modes for what only this user may read: the embedded Redis's data and its password. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** The umask that gives redis-server's own files (AOF, rewrites, log) those modes. */
export const PRIVATE_UMASK = 0o077;

function restrict(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return; // not ours to change, and chmod would follow it
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE);
    for (const entry of readdirSync(path)) restrict(join(path, entry));
  } else if (stat.isFile() && (stat.mode & 0o777 & ~PRIVATE_FILE_MODE) !== 0) {
    chmodSync(path, stat.mode & PRIVATE_FILE_MODE);
  }
}

/**
 * Creates the embedded Redis's directory readable by this user only, and takes group and other
 * access away from everything already in it (files an earlier version left with 0644).
 */
export function preparePrivateRedisDir(dataDir: string): string {
  const dir = redisDirOf(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  restrict(dir);
  return dir;
}
