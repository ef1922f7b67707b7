import { describeRedisTarget, parseOrExplain } from '@ddup/config';
import { TenantDirectory, reloadOnSighup } from '@ddup/tenants';
import { createLogger, errorText, exitStatusOnShutdown, onNotReadyWithin } from '@ddup/runtime';
import { ConsumerPool } from './consumer-pool.ts';
import { consumerPoolSettingsOf, loadConsumerConfig, metricsServerSettingsOf } from './env.ts';
import { ConsumerMetrics } from './metrics/consumer-metrics.ts';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.ts';
import { tenantRulesOf } from './tenant-rules.ts';

const loaded = loadConsumerConfig();
if ('failure' in loaded) {
  process.stderr.write(loaded.failure);
  process.exit(2);
}
const config = loaded.config;
const logger = createLogger('consumer', config.LOG_LEVEL, config.LOG_FORMAT);
const tenantsFile = config.TENANTS_FILE;
const directory = tenantsFile === undefined ? undefined : parseOrExplain('ddup-consumer', () => new TenantDirectory(tenantsFile));
if (directory !== undefined && 'failure' in directory) {
  process.stderr.write(directory.failure);
  process.exit(2);
}
const tenants = directory?.config;
let tenantRules = tenantRulesOf(tenants?.tenants ?? [], config.DEDUP_WINDOW_SECONDS);
// Without TENANTS_FILE a SIGHUP is logged and ignored (Node's default would end the process).
reloadOnSighup(tenants, logger, (reloaded) => {
  tenantRules = tenantRulesOf(reloaded, config.DEDUP_WINDOW_SECONDS);
});
const metricsServerSettings = metricsServerSettingsOf(config);
const metrics = metricsServerSettings ? new ConsumerMetrics({ shards: config.STREAM_SHARDS, processMetrics: true }) : undefined;
const pool = ConsumerPool.start(consumerPoolSettingsOf(config), logger, {
  // An evicting Redis, or data written with other settings, would break the dedup window.
  onRefused: (refusal) => {
    logger.error(`cannot run on this Redis: ${refusal.detail}`, { reason: refusal.reason });
    process.exit(2);
  },
  metrics,
  tenantRules: () => tenantRules,
});
// A Redis that does not answer in time at start-up stops the consumer (exit 2: not restarted).
onNotReadyWithin(pool.connection, config.REDIS_CONNECT_TIMEOUT_MS, logger, () => process.exit(2));
logger.info('consumer pool started', {
  consumers: config.CONSUMER_CONCURRENCY,
  shards: config.STREAM_SHARDS,
  batchSize: config.CONSUMER_BATCH_SIZE,
  redis: describeRedisTarget(config.redis),
});

let metricsServer: MetricsServer | undefined;
const exitStatus = exitStatusOnShutdown(logger, async () => {
  await metricsServer?.close();
  await pool.close();
});
void exitStatus.then((status) => process.exit(status));
if (metricsServerSettings && metrics) {
  // A consumer that cannot serve its metrics (the port taken, say) still confirms events.
  const { host, port } = metricsServerSettings;
  metricsServer = await startMetricsServer(metrics.registry, metricsServerSettings, logger).catch((error: unknown) => {
    logger.error('cannot serve metrics; consuming without them', { host, port, error: errorText(error) });
    return undefined;
  });
  if (metricsServer) logger.info('consumer metrics served', { url: metricsServer.url });
}
