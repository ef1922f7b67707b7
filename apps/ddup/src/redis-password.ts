import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, redisDirOf } from './redis-dir.ts';

/** The embedded Redis's password file is there but does not hold a usable password. */
export class RedisPasswordFileError extends Error {
  override name = 'RedisPasswordFileError';
}

export function passwordFileOf(dataDir: string): string {
  return join(redisDirOf(dataDir), 'password');
}

const PASSWORD = /^[0-9a-f]{64}$/;

/** The embedded Redis's password, or undefined when there is none (yet). */
export function readRedisPassword(dataDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(passwordFileOf(dataDir), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!PASSWORD.test(text))
    throw new RedisPasswordFileError(`${passwordFileOf(dataDir)} does not hold a password (64 hex digits); delete it and a new one is made at the next start`);
  return text;
}

/**
 * The embedded Redis's password: made on first start (32 random bytes, hex), kept in
 * `<data dir>/redis/password` with mode 0600 and the same from then on, so tools and a restarted
 * launcher find it. Redis does not keep it in its data, so a new one costs nothing.
 */
export function loadOrCreateRedisPassword(dataDir: string): string {
  const existing = readRedisPassword(dataDir);
  const file = passwordFileOf(dataDir);
  if (existing !== undefined) {
    chmodSync(file, PRIVATE_FILE_MODE);
    return existing;
  }
  const password = randomBytes(32).toString('hex');
  writeFileSync(file, `${password}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  return password;
}
