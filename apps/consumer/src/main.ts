import { describeRedisTarget, parseOrExplain } from '@ddup/config';
import { createSink, loadSinksFile } from '@ddup/sinks';
import { TenantDirectory, reloadOnSighup } from '@ddup/tenants';
import { createLogger, errorText, exitStatusOnShutdown, onNotReadyWithin } from '@ddup/runtime';
import { ConsumerPool } from './consumer-pool.ts';
import { consumerPoolSettingsOf, loadConsumerConfig, metricsServerSettingsOf, sinkSupervisorSettingsOf } from './env.ts';
import { ConsumerMetrics } from './metrics/consumer-metrics.ts';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.ts';
import { SinkMetrics } from './sinks/sink-metrics.ts';
import { SinkSupervisor } from './sinks/sink-supervisor.ts';
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
// Without TENANTS_FILE a SIGHUP is logged and ignored (Node's default would end the process),
// unless SINKS_FILE is there to reread (below).
if (directory !== undefined || config.SINKS_FILE === undefined) {
  reloadOnSighup(tenants, logger, (reloaded) => {
    tenantRules = tenantRulesOf(reloaded, config.DEDUP_WINDOW_SECONDS);
  });
}
const sinksFile = config.SINKS_FILE;
const sinks = sinksFile === undefined ? undefined : parseOrExplain('ddup-consumer', () => loadSinksFile(sinksFile));
if (sinks !== undefined && 'failure' in sinks) {
  process.stderr.write(sinks.failure);
  process.exit(2);
}
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
// The sinks' groups are created only once Redis has passed the preflight, as the pool's are.
let supervisor: SinkSupervisor | undefined;
if (sinksFile !== undefined && sinks !== undefined) {
  const sinkMetrics = metrics && new SinkMetrics(metrics.registry, async () => (await supervisor?.backlog()) ?? []);
  const running = new SinkSupervisor(sinkSupervisorSettingsOf(config), logger, { createSink, ...(sinkMetrics ? { metrics: sinkMetrics } : {}) });
  supervisor = running;
  void pool.started.then(() => running.apply(sinks.config.sinks));
  // Reread like TENANTS_FILE: a bad file leaves the sinks in force running.
  process.on('SIGHUP', () => {
    const reread = parseOrExplain('ddup-consumer', () => loadSinksFile(sinksFile));
    if ('failure' in reread) return logger.error('SINKS_FILE not reloaded: the sinks in force stay', { file: sinksFile, problems: reread.failure.trim() });
    logger.info('sinks reloaded', { file: sinksFile, sinks: reread.config.sinks.map((sink) => sink.id) });
    void running.apply(reread.config.sinks);
  });
}
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
  await supervisor?.close();
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
