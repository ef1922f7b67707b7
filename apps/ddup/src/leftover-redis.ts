import { existsSync, realpathSync } from 'node:fs';
import { type RespReply, RespErrorReply, sendAuthenticated, shutdownServer } from '@ddup/redis-process';
import type { Logger } from '@ddup/runtime';
import { readEmbeddedPort, removeEmbeddedUrl } from './embedded-url.ts';
import { redisDirOf } from './redis-dir.ts';
import { readRedisPassword } from './redis-password.ts';

export class LeftoverRedisError extends Error {
  override name = 'LeftoverRedisError';
}

/** The `dir` a server reports (CONFIG GET dir), or why there is none. */
async function reportedDir(port: number, password: string | undefined): Promise<string | { readonly unanswered: string }> {
  let replies: RespReply[];
  try {
    // AUTH first: our embedded Redis has a password. One started before there were passwords
    // answers AUTH with an error and CONFIG GET all the same.
    replies = await sendAuthenticated(port, password, [['CONFIG', 'GET', 'dir']], { timeoutMs: 2_000 });
  } catch (error) {
    return { unanswered: error instanceof Error ? error.message : String(error) };
  }
  const [reply] = replies;
  if (reply instanceof RespErrorReply) return { unanswered: reply.message };
  if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
  return { unanswered: `unexpected reply ${JSON.stringify(reply)}` };
}

function sameDirectory(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * A launcher killed without a chance to clean up (SIGKILL, OOM) leaves its embedded redis-server
 * running on the data directory. Two servers must never append to one AOF, so that one is shut
 * down (cleanly, AOF flushed) before a new one starts. Only once it is proven ours: its
 * `CONFIG GET dir` is this data directory's redis directory (it answers only to our password, and
 * a server writing its files there must stop whoever started it). Whatever else answers on the
 * recorded port (the port was reused) is left alone. Call it holding the data directory's lock.
 */
export async function stopLeftoverEmbeddedRedis(dataDir: string, logger: Logger): Promise<void> {
  const port = readEmbeddedPort(dataDir);
  if (port === undefined) return;
  const ourDir = redisDirOf(dataDir);
  const dir = existsSync(ourDir) ? await reportedDir(port, readRedisPassword(dataDir)) : { unanswered: 'no redis directory' };
  if (typeof dir === 'string' && sameDirectory(dir, ourDir)) {
    logger.warn('an embedded redis-server from an earlier run is still running; shutting it down', { port, dir });
    if (!(await shutdownServer(port, { password: readRedisPassword(dataDir) }))) {
      throw new LeftoverRedisError(`the leftover embedded redis-server on port ${port} (dir ${dir}) did not shut down`);
    }
  } else if (typeof dir === 'string') {
    logger.warn('the redis-server on the port recorded for the embedded Redis is not ours (another data directory); leaving it alone', { port, dir });
  } else if (!/ECONNREFUSED/.test(dir.unanswered)) {
    logger.warn('something else answers on the port recorded for the embedded Redis; leaving it alone', { port, answer: dir.unanswered });
  }
  removeEmbeddedUrl(dataDir);
}
