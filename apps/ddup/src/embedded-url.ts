import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the launcher leaves the embedded Redis's URL while it runs, for operator tools. */
export function embeddedUrlFile(dataDir: string): string {
  return join(dataDir, 'redis', 'url');
}

export function writeEmbeddedUrl(dataDir: string, url: string): void {
  writeFileSync(embeddedUrlFile(dataDir), `${url}\n`);
}

export function removeEmbeddedUrl(dataDir: string): void {
  rmSync(embeddedUrlFile(dataDir), { force: true });
}

export function readEmbeddedUrl(dataDir: string): string | undefined {
  try {
    return readFileSync(embeddedUrlFile(dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
