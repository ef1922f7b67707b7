import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppendFsync, type RunningRedisServer, startRedisServer } from '@ddup/redis-process';
import { redisServerBin } from '../env.ts';

/** A redis-server in a temporary directory of its own; stop() also removes the directory. */
export interface RedisNode {
  readonly server: RunningRedisServer;
  stop(): Promise<void>;
}

const running = new Map<RunningRedisServer, string>();
// A benchmark that dies (or is interrupted) must not leave redis-server processes or data behind.
process.once('exit', () => {
  for (const [server, dir] of running) {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

export async function startRedisNode(appendFsync: AppendFsync, extraArgs: readonly string[] = []): Promise<RedisNode> {
  const dir = mkdtempSync(join(tmpdir(), 'ddup-bench-redis-'));
  let server: RunningRedisServer;
  try {
    server = await startRedisServer({ bin: redisServerBin(), dir, appendOnly: true, appendFsync, extraArgs });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  running.set(server, dir);
  return {
    server,
    async stop() {
      await server.stop();
      running.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
