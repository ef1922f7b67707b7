import { createLogger, onShutdownSignal, describeRedisTarget } from '@ddup/runtime';
import { ConsumerPool } from './consumer-pool.ts';
import { loadConsumerConfig } from './env.ts';

const config = loadConsumerConfig();
const logger = createLogger('consumer', config.LOG_LEVEL);
const pool = ConsumerPool.start(config, logger, {
  // An evicting Redis would forget remembered events and accept their duplicates: never run on one.
  onRefused: (problem) => {
    logger.error(`cannot run on this Redis: ${problem.detail}`, { reason: problem.reason });
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
