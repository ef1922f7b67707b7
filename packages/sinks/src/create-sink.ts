import { createNatsSink } from './nats/nats-sink.ts';
import { createPostgresSink } from './postgres/postgres-sink.ts';
import type { Sink } from './sink.ts';
import type { SinkConfig } from './sinks-file.ts';
import { createWebhookSink } from './webhook/webhook-sink.ts';

/** The adapter for one sink of SINKS_FILE. Connections are made on first delivery, not here. */
export function createSink(config: SinkConfig): Sink {
  switch (config.type) {
    case 'webhook':
      return createWebhookSink(config);
    case 'nats':
      return createNatsSink(config);
    case 'postgres':
      return createPostgresSink(config);
  }
}
