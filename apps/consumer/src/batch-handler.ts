import type { EventEntry, RedisCommandSender, StreamBatch } from '@ddup/store';

/** What a handler made of one batch. */
export interface BatchOutcome {
  /** Entries acknowledged: handled, or deleted from the stream while pending (nothing left to handle). */
  readonly handled: number;
  /** Entries left pending because they can never be handled (a reclaim dead-letters them after maxDeliveries). */
  readonly unhandled: readonly string[];
}

/**
 * The per-batch work of a StreamConsumer: what it does with the entries its group reads or
 * reclaims, and acknowledges them. The confirm workers' handler marks events processed
 * (confirm.ts); another reader of the events streams brings its own.
 */
export interface BatchHandler {
  handle(redis: RedisCommandSender, batch: StreamBatch): Promise<BatchOutcome>;
  /** Why `entry` of `stream` can never be handled (it would fail on every delivery), or undefined when it can. */
  problemOf(entry: EventEntry, stream: string): string | undefined;
}
