import { describeRedisTarget } from '@ddup/config';
import { createLogger, onShutdownSignal } from '@ddup/runtime';
import { ConsumerPool } from './consumer-pool.ts';
import { consumerPoolSettingsOf, loadConsumerConfig } from './env.ts';

const loaded = loadConsumerConfig();
if ('failure' in loaded) {
  process.stderr.write(loaded.failure);
  process.exit(2);
}
const config = loaded.config;
const logger = createLogger('consumer', config.LOG_LEVEL);
const pool = ConsumerPool.start(consumerPoolSettingsOf(config), logger, {
  // An evicting Redis, or data written with other settings, would break the dedup window.
  onRefused: (refusal) => {
    logger.error(`cannot run on this Redis: ${refusal.detail}`, { reason: refusal.reason });
    process.exit(2);
  },
});
logger.info('consumer pool started', {
  consumers: config.CONSUMER_CONCURRENCY,
  shards: config.STREAM_SHARDS,
  batchSize: config.CONSUMER_BATCH_SIZE,
  redis: describeRedisTarget(config.redis),
});
onShutdownSignal(logger, () => pool.close());
