export { ConsumerPool, type ConsumerPoolSettings } from './consumer-pool.ts';
export { StreamConsumer, type StreamConsumerOptions } from './stream-consumer.ts';
export { confirmBatch, type ConfirmSettings } from './confirm.ts';
export { ensureConsumerGroup } from './consumer-group.ts';
export { metricsServerSettingsOf, parseConsumerConfig, type ConsumerConfig } from './env.ts';
export { ConsumerMetrics } from './metrics/consumer-metrics.ts';
export { metricsUrlOf, startMetricsServer, type MetricsServer, type MetricsServerSettings } from './metrics/metrics-server.ts';
export { reclaimStale, type ReclaimSettings } from './reclaim.ts';
export { trimAcknowledged } from '@ddup/store';
