import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { type RedisServerOptions, type RunningRedisServer, startRedisServer } from '@ddup/redis-process';

const running = new Set<RunningRedisServer>();
// A test that dies must not leave redis-server processes behind.
process.once('exit', () => {
  for (const server of running) process.kill(server.pid, 'SIGKILL');
});

export type TestRedisOptions = Partial<Pick<RedisServerOptions, 'appendOnly' | 'appendFsync' | 'extraArgs'>>;

/** A redis-server this test started on a free port, in a temporary directory of its own. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly server: RunningRedisServer;
  /** A plain RESP2 client for assertions; closed by cleanup(). */
  client(): Promise<ReturnType<typeof createTestClient>>;
  /** Starts the server again on the same port and directory (after stop or kill). */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. Idempotent. */
  cleanup(): Promise<void>;
}

function createTestClient(url: string) {
  return createClient({ url, RESP: 2 });
}

function track(server: RunningRedisServer): RunningRedisServer {
  running.add(server);
  void server.exited.then(() => running.delete(server));
  return server;
}

export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'ddup-redis-'));
  let server = track(await startRedisServer({ bin: 'redis-server', dir, appendOnly: false, ...options }));
  const clients: ReturnType<typeof createTestClient>[] = [];
  let cleaned: Promise<void> | undefined;
  return {
    url: server.url,
    port: server.port,
    get server() {
      return server;
    },
    async client() {
      const client = createTestClient(server.url);
      client.on('error', () => undefined);
      clients.push(client);
      await client.connect();
      return client;
    },
    async restart() {
      server = track(await startRedisServer({ ...server.options, port: server.port }));
    },
    cleanup() {
      cleaned ??= (async () => {
        for (const client of clients) client.destroy();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      })();
      return cleaned;
    },
  };
}

/** A replica of `primary` (`--replicaof`), resolved once the primary reports it online. */
export async function startTestReplica(primary: TestRedis): Promise<TestRedis> {
  const replica = await startTestRedis({ extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] });
  const client = await primary.client();
  const deadline = Date.now() + 15_000;
  while (!/slave0:.*state=online/.test(await client.info('replication'))) {
    if (Date.now() > deadline) throw new Error(`replica on ${replica.port} did not come online`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return replica;
}
