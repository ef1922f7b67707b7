import type { RunningRedisServer } from '@ddup/redis-process';
import { createLogger } from '@ddup/runtime';
import { type Child, startChild, stopChild } from './children.ts';
import { RedisServerMissingError, startEmbeddedRedis } from './embedded-redis.ts';
import { removeEmbeddedUrl, writeEmbeddedUrl } from './embedded-url.ts';
import { stopLeftoverEmbeddedRedis } from './leftover-redis.ts';
import { SupervisedRedis } from './supervised-redis.ts';
import { childEnvironment, loadLauncherConfig } from './env.ts';
import { waitUntilReady } from './wait-ready.ts';

const STOP_TIMEOUT_MS = 15_000;

const config = loadLauncherConfig();
const logger = createLogger('ddup');

let redis: SupervisedRedis | undefined;
if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
  await stopLeftoverEmbeddedRedis(config.DDUP_DATA_DIR, logger);
  let server: RunningRedisServer;
  try {
    const appendFsync = config.DURABILITY === 'fsync' ? 'always' : 'everysec';
    server = await startEmbeddedRedis(config.REDIS_SERVER_BIN, config.PATH, config.DDUP_DATA_DIR, appendFsync);
  } catch (error) {
    process.stderr.write(`ddup: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof RedisServerMissingError ? 3 : 1);
  }
  logger.info('embedded redis-server started', { url: server.url, dir: server.dir, pid: server.pid, appendfsync: server.options.appendFsync });
  writeEmbeddedUrl(config.DDUP_DATA_DIR, server.url);
  redis = new SupervisedRedis(server, logger);
}
const redisUrl = config.REDIS_URL ?? redis?.url;
const childEnv = childEnvironment({ ...(redisUrl ? { REDIS_URL: redisUrl } : {}), PORT: String(config.PORT) });

const children: Child[] = [startChild('gateway', childEnv), startChild('consumer', childEnv)];
let stopping: Promise<void> | undefined;

/** Gateway first (no new events; in-flight requests finish), then consumers (batch in hand acknowledged), Redis last. */
function stopAll(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    for (const child of children) {
      const code = await stopChild(child, STOP_TIMEOUT_MS);
      logger.info(`${child.name} stopped`, { code });
    }
    if (redis) {
      removeEmbeddedUrl(config.DDUP_DATA_DIR);
      await redis.stop(STOP_TIMEOUT_MS);
      logger.info('embedded redis-server stopped');
    }
    process.exit(exitCode);
  })();
  return stopping;
}

for (const child of children) {
  void child.exited.then((code) => {
    if (stopping) return;
    logger.error(`${child.name} exited unexpectedly; stopping ddup`, { code });
    void stopAll(typeof code === 'number' && code !== 0 ? code : 1);
  });
}
// Every step of a stop is bounded by STOP_TIMEOUT_MS. Repeated signals (a terminal's Ctrl-C also
// reaches npm/pnpm wrappers, which forward it again) do not cut the orderly stop short.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!stopping) logger.info('shutting down', { signal });
    void stopAll(0);
  });
}
process.once('exit', () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
});

const gatewayAlive = () => children[0]?.process.exitCode === null;
if (await waitUntilReady(config.PORT, 30_000, gatewayAlive)) {
  logger.info('ddup is ready', { url: `http://localhost:${config.PORT}`, redis: redisUrl });
} else if (!stopping) {
  logger.warn('gateway not ready after 30 s; still waiting for Redis?', { port: config.PORT });
}
