import { loadConfigOrExit } from '@ddup/config';
import { createLogger, onShutdownSignal, redactUrl } from '@ddup/runtime';
import { ConsumerPool } from './consumer-pool.ts';
import { parseConsumerConfig } from './env.ts';

const config = loadConfigOrExit('ddup-consumer', () => parseConsumerConfig(process.env));
const logger = createLogger('consumer', config.LOG_LEVEL);
const pool = ConsumerPool.start(config, logger);
logger.info('consumer pool started', {
  consumers: config.CONSUMER_CONCURRENCY,
  shards: config.STREAM_SHARDS,
  batchSize: config.CONSUMER_BATCH_SIZE,
  redis: redactUrl(config.REDIS_URL),
});
onShutdownSignal(logger, () => pool.close());
