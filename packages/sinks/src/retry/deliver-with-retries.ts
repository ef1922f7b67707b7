import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryOutcome, Sink, SinkEvent } from '../sink.ts';
import type { SinkConfig } from '../sinks-file.ts';
import { type BackoffSchedule, backoffMs } from './backoff.ts';
import { type BreakerState, CircuitBreaker } from './circuit-breaker.ts';

/** How one sink's deliveries are retried; one per sink, since it holds the sink's breaker. */
export interface DeliveryPolicy extends BackoffSchedule {
  /** Attempts an event gets (the first included) before it is dead. */
  readonly maxAttempts: number;
  readonly breaker: CircuitBreaker;
  /** For tests: the jitter's source (default Math.random). */
  readonly random?: () => number;
}

/** Where an event ended. */
export type FinalOutcome =
  | { readonly kind: 'delivered'; readonly attempts: number }
  /** Rejected by the sink, or still failing after maxAttempts: dead-letter it. */
  | { readonly kind: 'dead'; readonly reason: string; readonly attempts: number }
  /** The sink answered 410 Gone (to this event or one before it): disable the sink; the event stays pending. */
  | { readonly kind: 'disabled'; readonly reason: string; readonly attempts: number }
  /** The signal was aborted before the event was settled: leave it pending (not acknowledged). */
  | { readonly kind: 'interrupted'; readonly attempts: number };

/** One call of sink.deliver, for metrics and logs. */
export interface AttemptReport {
  readonly sink: string;
  /** 1 for each event's first attempt. */
  readonly attempt: number;
  readonly events: readonly SinkEvent[];
  readonly outcomes: readonly DeliveryOutcome[];
  readonly durationMs: number;
}

export interface PolicyOptions {
  /** Failed calls in a row that open the breaker (default 5). */
  readonly breakerFailureThreshold?: number;
  /** The breaker's first open time (default 1 s, at most maxBackoffMs). */
  readonly breakerOpenMs?: number;
  readonly onBreakerStateChange?: (state: BreakerState) => void;
  readonly random?: () => number;
}

/** The policy SINKS_FILE asks for one sink, with a fresh breaker. */
export function policyFor(config: Pick<SinkConfig, 'maxAttempts' | 'maxBackoffMs' | 'initialBackoffMs'>, options: PolicyOptions = {}): DeliveryPolicy {
  const openMs = Math.min(options.breakerOpenMs ?? 1000, config.maxBackoffMs);
  return {
    maxAttempts: config.maxAttempts,
    initialBackoffMs: Math.min(config.initialBackoffMs, config.maxBackoffMs),
    maxBackoffMs: config.maxBackoffMs,
    breaker: new CircuitBreaker({
      failureThreshold: options.breakerFailureThreshold ?? 5,
      openMs,
      maxOpenMs: Math.max(openMs, config.maxBackoffMs),
      ...(options.onBreakerStateChange ? { onStateChange: options.onBreakerStateChange } : {}),
    }),
    ...(options.random ? { random: options.random } : {}),
  };
}

/** A call that reached the sink and got an answer about the sink, not only about the network. */
const sinkAnswered = (outcomes: readonly DeliveryOutcome[]) => outcomes.some((outcome) => outcome.kind !== 'retry');

/**
 * Delivers `events` to `sink`, retrying those with a transient failure (after a backoff, or the
 * sink's Retry-After) until each is delivered, rejected, out of attempts, or the sink is gone.
 * Calls go through the policy's breaker: while it is open no call is made and no attempt is
 * counted. Never throws for a delivery failure; an aborted signal ends it with `interrupted` for
 * what is unsettled. Returns one outcome per event, in order.
 */
export async function deliverWithRetries(
  sink: Sink,
  events: readonly SinkEvent[],
  policy: DeliveryPolicy,
  signal: AbortSignal,
  onAttempt: (report: AttemptReport) => void = () => undefined,
): Promise<FinalOutcome[]> {
  const finals: (FinalOutcome | undefined)[] = events.map(() => undefined);
  let pending = events.map((_, index) => index);
  let attempt = 0;
  const settleRest = (outcome: (attempts: number) => FinalOutcome) => {
    for (const index of pending) finals[index] = outcome(attempt);
    pending = [];
  };
  while (pending.length > 0) {
    let ticket: Awaited<ReturnType<CircuitBreaker['permit']>>;
    try {
      ticket = await policy.breaker.permit(signal);
    } catch {
      settleRest((attempts) => ({ kind: 'interrupted', attempts }));
      break;
    }
    attempt += 1;
    const batch = pending.map((index) => events[index] as SinkEvent);
    const started = performance.now();
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await sink.deliver(batch, signal);
    } catch (error) {
      // deliver promises not to throw; if it does, every event of the call failed transiently.
      const reason = error instanceof Error ? error.message : String(error);
      outcomes = batch.map(() => ({ kind: 'retry', reason }));
    }
    onAttempt({ sink: sink.id, attempt, events: batch, outcomes, durationMs: performance.now() - started });
    ticket.done(signal.aborted && !sinkAnswered(outcomes) ? undefined : sinkAnswered(outcomes));

    const retrying: number[] = [];
    let retryAfterMs: number | undefined;
    let gone: string | undefined;
    for (const [position, index] of pending.entries()) {
      const outcome = outcomes[position] ?? { kind: 'retry', reason: 'the sink gave no outcome for this event' };
      if (outcome.kind === 'delivered') finals[index] = { kind: 'delivered', attempts: attempt };
      else if (outcome.kind === 'rejected') finals[index] = { kind: 'dead', reason: outcome.reason, attempts: attempt };
      else if (outcome.kind === 'gone') {
        gone ??= outcome.reason;
        finals[index] = { kind: 'disabled', reason: outcome.reason, attempts: attempt };
      } else if (attempt >= policy.maxAttempts) {
        finals[index] = { kind: 'dead', reason: `${outcome.reason} (after ${attempt} attempts)`, attempts: attempt };
      } else {
        retrying.push(index);
        if (outcome.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, outcome.retryAfterMs);
      }
    }
    pending = retrying;
    if (gone !== undefined) {
      const reason = gone;
      settleRest((attempts) => ({ kind: 'disabled', reason, attempts }));
      break;
    }
    if (pending.length === 0) break;
    if (signal.aborted) {
      settleRest((attempts) => ({ kind: 'interrupted', attempts }));
      break;
    }
    try {
      await sleep(backoffMs(policy, attempt, retryAfterMs, policy.random), undefined, { signal });
    } catch {
      settleRest((attempts) => ({ kind: 'interrupted', attempts }));
    }
  }
  return finals.map((final) => final ?? { kind: 'interrupted', attempts: attempt });
}
