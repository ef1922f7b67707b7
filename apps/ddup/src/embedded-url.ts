import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, redisDirOf } from './redis-dir.ts';
import { readRedisPassword } from './redis-password.ts';

/**
 * Where the launcher leaves the embedded Redis's URL while it runs, for operator tools. It holds
 * no password: that is in the password file beside it.
 */
export function embeddedUrlFile(dataDir: string): string {
  return join(redisDirOf(dataDir), 'url');
}

/** Records the embedded Redis's port, as redis://127.0.0.1:<port>. */
export function writeEmbeddedUrl(dataDir: string, port: number): void {
  writeFileSync(embeddedUrlFile(dataDir), `redis://127.0.0.1:${port}\n`, { mode: PRIVATE_FILE_MODE });
}

export function removeEmbeddedUrl(dataDir: string): void {
  rmSync(embeddedUrlFile(dataDir), { force: true });
}

/** The port recorded in the url file, or undefined when there is none. */
export function readEmbeddedPort(dataDir: string): number | undefined {
  try {
    const port = Number(new URL(readFileSync(embeddedUrlFile(dataDir), 'utf8').trim()).port);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** The running embedded Redis's URL with its password (redis://:<password>@127.0.0.1:<port>), or undefined. */
export function readEmbeddedUrl(dataDir: string): string | undefined {
  const port = readEmbeddedPort(dataDir);
  if (port === undefined) return undefined;
  const password = readRedisPassword(dataDir);
  return password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${password}@127.0.0.1:${port}`;
}
