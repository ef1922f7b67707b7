import { ping, shutdownServer } from '@ddup/redis-process';
import type { Logger } from '@ddup/runtime';
import { readEmbeddedUrl, removeEmbeddedUrl } from './embedded-url.ts';

/**
 * A launcher killed without a chance to clean up (SIGKILL, OOM) leaves its embedded redis-server
 * running on the data directory. Two servers must never append to one AOF, so that one is shut
 * down (cleanly, AOF flushed) before a new one starts.
 */
export async function stopLeftoverEmbeddedRedis(dataDir: string, logger: Logger): Promise<void> {
  const url = readEmbeddedUrl(dataDir);
  if (!url) return;
  const port = Number(new URL(url).port);
  if (port && (await ping(port))) {
    logger.warn('an embedded redis-server from an earlier run is still running; shutting it down', { url });
    if (!(await shutdownServer(port))) throw new Error(`the leftover redis-server at ${url} did not shut down`);
  }
  removeEmbeddedUrl(dataDir);
}
