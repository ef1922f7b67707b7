export { ConsumerPool, type ConsumerPoolSettings } from './consumer-pool.ts';
export { StreamConsumer, type StreamConsumerOptions } from './stream-consumer.ts';
export { confirmBatch, type ConfirmSettings } from './confirm.ts';
export { ensureConsumerGroup } from './consumer-group.ts';
export { parseConsumerConfig, type ConsumerConfig } from './env.ts';
export { listDeadLetters, replayDeadLetters, type DeadLetter } from './dead-letters.ts';
export { reclaimStale, type ReclaimSettings } from './reclaim.ts';
export { trimAcknowledged } from '@ddup/store';
