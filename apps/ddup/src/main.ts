import { parseOrExplain, redactUrl } from '@ddup/config';
import { addressInUseMessage } from '@ddup/gateway';
import type { RunningRedisServer } from '@ddup/redis-process';
import { createLogger, errorText, writesPretty } from '@ddup/runtime';
import { DataDirLockedError, acquireDataDirLock } from './data-dir-lock.ts';
import { RedisServerMissingError, startEmbeddedRedis } from './embedded-redis.ts';
import { removeEmbeddedUrl, writeEmbeddedUrl } from './embedded-url.ts';
import { usesEmbeddedRedis } from './env.ts';
import { stopLeftoverEmbeddedRedis } from './leftover-redis.ts';
import { serviceCommand } from './children.ts';
import { gatewayBunBinary } from './gateway-runtime.ts';
import { portIsTaken } from './port-check.ts';
import { DEFAULT_RESTART_POLICY } from './restart-policy.ts';
import { readyBanner, readyFields } from './ready-banner.ts';
import { childEnvironment, consumerMetricsUrl, gatewaySettingsOf, parseSettings } from './settings.ts';
import { type GiveUp, SupervisedChild } from './supervised-child.ts';
import { SupervisedRedis } from './supervised-redis.ts';
import { localGatewayUrl, waitUntilReady } from './wait-ready.ts';

const STOP_TIMEOUT_MS = 15_000;
/** Exit statuses: 2 a bad setting (or a child's data-layout error), 3 no redis-server (or no bun for GATEWAY_RUNTIME=bun), 4 the data directory is in use. */
const EXIT_MISSING_EXECUTABLE = 3;
const EXIT_DATA_DIR_IN_USE = 4;

// Every setting, the children's included, before anything starts.
const loaded = parseOrExplain('ddup', () => parseSettings(process.env));
if ('failure' in loaded) {
  process.stderr.write(loaded.failure);
  process.exit(2);
}
const config = loaded.config;
// The launcher's own lines (start, stop, restarts, the banner) stay at info: LOG_LEVEL is the children's.
const logger = createLogger('ddup', 'info', config.LOG_FORMAT);
// The gateway and consumer, in stop order (filled once Redis is there).
const children: SupervisedChild[] = [];

// SIGHUP rereads TENANTS_FILE: passed on to the gateway and the consumer, which reload it themselves
// (or log and ignore it, without a file). Listened to from the start: Node's default ends a process.
process.on('SIGHUP', () => {
  logger.info('SIGHUP: passing it on to the gateway and the consumer (they reread TENANTS_FILE and SINKS_FILE, if set)');
  for (const child of children) child.current?.process.kill('SIGHUP');
});

function fail(message: string, exitCode: number): never {
  process.stderr.write(`ddup: ${message}\n`);
  process.exit(exitCode);
}

// Before anything starts: a gateway that cannot run must not leave a Redis started for it.
let bunBin: string | undefined;
try {
  bunBin = gatewayBunBinary(config);
} catch (error) {
  fail(errorText(error), EXIT_MISSING_EXECUTABLE);
}
// A taken port is refused at once: a gateway restarted on it would only crash-loop.
if (await portIsTaken(config.HOST, config.PORT)) fail(addressInUseMessage(config.PORT, config.HOST), 2);

let redis: SupervisedRedis | undefined;
if (usesEmbeddedRedis(config)) {
  // One launcher per data directory, taken before anything looks at or starts a Redis there.
  try {
    const lock = acquireDataDirLock(config.DDUP_DATA_DIR);
    process.once('exit', () => lock.release());
  } catch (error) {
    if (error instanceof DataDirLockedError) fail(error.message, EXIT_DATA_DIR_IN_USE);
    throw error;
  }
  let server: RunningRedisServer;
  try {
    await stopLeftoverEmbeddedRedis(config.DDUP_DATA_DIR, logger);
    server = await startEmbeddedRedis({
      bin: config.REDIS_SERVER_BIN,
      searchPath: config.PATH,
      dataDir: config.DDUP_DATA_DIR,
      appendFsync: config.DURABILITY === 'fsync' ? 'always' : 'everysec',
      maxmemoryBytes: config.REDIS_MAXMEMORY,
    });
  } catch (error) {
    fail(errorText(error), error instanceof RedisServerMissingError ? EXIT_MISSING_EXECUTABLE : 1);
  }
  logger.info('embedded redis-server started', {
    url: redactUrl(server.url),
    dir: server.dir,
    childPid: server.pid,
    appendfsync: server.options.appendFsync,
    maxmemory: config.REDIS_MAXMEMORY,
  });
  writeEmbeddedUrl(config.DDUP_DATA_DIR, server.port);
  redis = new SupervisedRedis(server, logger);
}
const redisUrl = redis?.url ?? config.REDIS_URL;
const childEnv = childEnvironment(process.env, config, redis?.url);
const restartPolicy = { ...DEFAULT_RESTART_POLICY, maxRestarts: config.CHILD_MAX_RESTARTS_PER_MINUTE };

let stopping: Promise<void> | undefined;

function onGiveUp(giveUp: GiveUp): void {
  if (stopping) return;
  if (giveUp.reason === 'configuration') {
    logger.error(`${giveUp.name} exited with status 2 (a setting or the data's layout is wrong: see its message); not restarting it; stopping ddup`, {
      code: giveUp.code,
    });
    void stopAll(2);
  } else {
    logger.error(
      `${giveUp.name} exited unexpectedly ${giveUp.deaths === 1 ? 'once' : `${giveUp.deaths} times`} within ${giveUp.windowMs / 1000} s ` +
        `(CHILD_MAX_RESTARTS_PER_MINUTE=${config.CHILD_MAX_RESTARTS_PER_MINUTE}); not restarting it again; stopping ddup`,
      { code: giveUp.code },
    );
    void stopAll(1);
  }
}

// In stop order: the gateway first (no new events; in-flight requests finish), then the consumers.
children.push(
  new SupervisedChild('gateway', serviceCommand('gateway', bunBin), childEnv, restartPolicy, logger, onGiveUp),
  new SupervisedChild('consumer', serviceCommand('consumer'), childEnv, restartPolicy, logger, onGiveUp),
);
for (const child of children) child.start();
const consumerMetrics = consumerMetricsUrl(childEnv);
if (consumerMetrics) logger.info('consumer metrics', { url: consumerMetrics });

/** Gateway first, then consumers (batch in hand acknowledged), Redis last. */
function stopAll(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    // None is restarted while the others stop (a consumer dying now would otherwise come back).
    for (const child of children) child.stopRestarting();
    for (const child of children) {
      const code = await child.stop(STOP_TIMEOUT_MS);
      logger.info(`${child.name} stopped`, { code });
    }
    if (redis) {
      removeEmbeddedUrl(config.DDUP_DATA_DIR);
      await redis.stop(STOP_TIMEOUT_MS);
      logger.info('embedded redis-server stopped');
    }
    // A stop asked for by SIGINT/SIGTERM is a success: exit 0 (not 130), so that npm/pnpm and
    // shells report nothing.
    process.exit(exitCode);
  })();
  return stopping;
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
  for (const child of children) child.current?.process.kill('SIGKILL');
});

const gatewayUrl = localGatewayUrl(config.HOST, config.PORT);
if (await waitUntilReady(gatewayUrl, 30_000, () => !stopping)) {
  const gatewaySettings = gatewaySettingsOf(childEnv);
  const summary = {
    url: gatewayUrl,
    host: config.HOST,
    redis: redisUrl === undefined ? `Redis Cluster ${config.REDIS_CLUSTER_NODES?.map(redactUrl).join(', ')}` : redactUrl(redisUrl),
    embeddedRedis: redis !== undefined,
    dataDir: redis === undefined ? undefined : config.DDUP_DATA_DIR,
    runtime: config.GATEWAY_RUNTIME,
    gatewayProcesses: gatewaySettings.GATEWAY_PROCESSES,
    consumerMetrics,
    tenants: gatewaySettings.tenants !== undefined,
    admin: gatewaySettings.DDUP_ADMIN_TOKEN !== undefined,
  };
  // On a terminal a banner a person reads; otherwise one record with the same facts for tools.
  if (writesPretty(config.LOG_FORMAT)) process.stderr.write(readyBanner(summary));
  else logger.info('ddup is ready', readyFields(summary));
} else if (!stopping) {
  logger.warn('gateway not ready after 30 s; still waiting for Redis?', { url: gatewayUrl });
}
