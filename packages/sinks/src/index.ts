export type { DeliveryOutcome, Sink, SinkEvent } from './sink.ts';
export {
  SINK_DEFAULTS,
  SINK_ID,
  SINK_STARTS,
  SINK_TYPES,
  loadSinksFile,
  parseSinksFile,
  type NatsSinkConfig,
  type PostgresSinkConfig,
  type SinkConfig,
  type SinkStart,
  type SinkType,
  type SinksConfig,
  type WebhookSinkConfig,
} from './sinks-file.ts';
