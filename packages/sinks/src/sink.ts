/** One deduplicated event on its way to a sink. */
export interface SinkEvent {
  /** The event's SHA-256 hex: the idempotency key everywhere. */
  readonly hash: string;
  readonly tenant: string | undefined;
  /** The event as accepted (the stream entry's `event` field, JSON text). */
  readonly eventJson: string;
  /** Ms since epoch the event was admitted (from the stream id's ms part). */
  readonly firstSeenMs: number;
}

export type DeliveryOutcome =
  | { readonly kind: 'delivered' }
  /** Transient: 408/429/5xx, network, timeout. */
  | { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  /** Permanent for this event (e.g. 4xx other than 408/410/429): dead-letter it. */
  | { readonly kind: 'rejected'; readonly reason: string }
  /** 410: disable the sink. */
  | { readonly kind: 'gone'; readonly reason: string };

export interface Sink {
  readonly id: string;
  readonly type: 'webhook' | 'nats' | 'postgres';
  /** One attempt for each event (same order as given); never throws for a delivery failure. */
  deliver(events: readonly SinkEvent[], signal: AbortSignal): Promise<DeliveryOutcome[]>;
  close(): Promise<void>;
}
