export type { DeliveryOutcome, Sink, SinkEvent } from './sink.ts';
export {
  SINK_DEFAULTS,
  SINK_ID,
  SINK_STARTS,
  SINK_TYPES,
  loadSinksFile,
  parseSinksFile,
  sinkTakes,
  type NatsSinkConfig,
  type PostgresSinkConfig,
  type SinkConfig,
  type SinkStart,
  type SinkType,
  type SinksConfig,
  type WebhookSinkConfig,
} from './sinks-file.ts';
export { backoffMs, type BackoffSchedule } from './retry/backoff.ts';
export { CircuitBreaker, type BreakerState, type BreakerTicket, type CircuitBreakerOptions } from './retry/circuit-breaker.ts';
export {
  deliverWithRetries,
  policyFor,
  type AttemptReport,
  type DeliveryPolicy,
  type FinalOutcome,
  type PolicyOptions,
} from './retry/deliver-with-retries.ts';
export { createSink } from './create-sink.ts';
export { signWebhook, webhookKey } from './webhook/signature.ts';
export { defaultStreamName } from './nats/nats-sink.ts';
