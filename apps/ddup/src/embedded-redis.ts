import { type AppendFsync, ExecutableNotFoundError, type RunningRedisServer, resolveExecutable, startRedisServer } from '@ddup/redis-process';
import { PRIVATE_UMASK, preparePrivateRedisDir } from './redis-dir.ts';
import { loadOrCreateRedisPassword } from './redis-password.ts';

export class RedisServerMissingError extends Error {
  override name = 'RedisServerMissingError';
}

export interface EmbeddedRedisSettings {
  /** REDIS_SERVER_BIN: a name looked for on `searchPath`, or a path. */
  readonly bin: string;
  readonly searchPath: string | undefined;
  readonly dataDir: string;
  readonly appendFsync: AppendFsync;
  /** maxmemory in bytes; 0: no limit. */
  readonly maxmemoryBytes: number;
}

function resolveRedisServer(bin: string, searchPath: string | undefined): string {
  try {
    return resolveExecutable(bin, searchPath);
  } catch (error) {
    if (!(error instanceof ExecutableNotFoundError)) throw error;
    throw new RedisServerMissingError(
      `${error.message}, and REDIS_URL is not set: install Redis 7 (Debian/Ubuntu: ` +
        '`sudo apt-get install redis-server`, macOS: `brew install redis`), set REDIS_SERVER_BIN to its path, or set REDIS_URL=redis://host:6379',
    );
  }
}

/**
 * Starts the embedded redis-server: a free port, its data under `<dataDir>/redis` readable by
 * this user only (0700 directory, 0600 files: redis-server runs with umask 077), AOF on so the
 * dedup window survives a restart (`everysec`, or `always` for DURABILITY=fsync), a password
 * (`requirepass`, kept in `<dataDir>/redis/password`), `maxmemory-policy noeviction` (eviction
 * would forget events silently; at the limit writes fail and the gateway answers 503).
 */
export async function startEmbeddedRedis(settings: EmbeddedRedisSettings): Promise<RunningRedisServer> {
  const executable = resolveRedisServer(settings.bin, settings.searchPath);
  const dir = preparePrivateRedisDir(settings.dataDir);
  const password = loadOrCreateRedisPassword(settings.dataDir);
  return startRedisServer({
    bin: executable,
    dir,
    appendOnly: true,
    appendFsync: settings.appendFsync,
    password,
    umask: PRIVATE_UMASK,
    extraArgs: ['--maxmemory', String(settings.maxmemoryBytes), '--maxmemory-policy', 'noeviction'],
  });
}
