import { join } from 'node:path';
import { type AppendFsync, type RunningRedisServer, findExecutable, startRedisServer } from '@ddup/redis-process';

export class RedisServerMissingError extends Error {}

/**
 * Starts the embedded redis-server: a free port, its data under `<dataDir>/redis`, AOF on so the
 * dedup window survives a restart (`everysec`, or `always` for DURABILITY=fsync).
 */
export async function startEmbeddedRedis(
  bin: string,
  searchPath: string | undefined,
  dataDir: string,
  appendFsync: AppendFsync,
): Promise<RunningRedisServer> {
  const executable = findExecutable(bin, searchPath);
  if (!executable) {
    throw new RedisServerMissingError(
      `${bin} was not found on PATH and REDIS_URL is not set: install Redis 7 (Debian/Ubuntu: ` +
        '`sudo apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_URL=redis://host:6379',
    );
  }
  return startRedisServer({ bin: executable, dir: join(dataDir, 'redis'), appendOnly: true, appendFsync });
}
