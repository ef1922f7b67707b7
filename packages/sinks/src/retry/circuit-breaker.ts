import { setTimeout as sleep } from 'node:timers/promises';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failed calls in a row that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open the first time; doubled each time a probe fails, up to maxOpenMs. */
  readonly openMs: number;
  readonly maxOpenMs: number;
  readonly onStateChange?: (state: BreakerState) => void;
}

/** Permission for one call; say how it went (undefined: it was abandoned, e.g. aborted). */
export interface BreakerTicket {
  done(success: boolean | undefined): void;
}

/**
 * A sink's circuit breaker. Closed: calls go through. After `failureThreshold` failed calls in a
 * row it opens: callers wait (no call is made) until the open time has passed, then one of them
 * probes (half-open) while the others wait for the probe's result; success closes the breaker, a
 * failure opens it again for twice as long. Small and own rather than cockatiel's because callers
 * here wait for the next probe instead of failing fast: an event is not given up because its sink
 * is down, it waits, bounded by the stream's retention.
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openFor: number;
  #openUntil = 0;
  #probe: Promise<void> | undefined;
  #probeSettled: (() => void) | undefined;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.#openFor = options.openMs;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Resolves when a call may be made (rejects with the signal's reason when aborted first). */
  async permit(signal: AbortSignal): Promise<BreakerTicket> {
    for (;;) {
      signal.throwIfAborted();
      if (this.#state === 'closed') return this.#ticket(false);
      if (this.#state === 'open') {
        const wait = this.#openUntil - Date.now();
        if (wait > 0) {
          await sleep(wait, undefined, { signal });
          continue;
        }
        this.#setState('half-open');
        this.#probe = new Promise((resolve) => {
          this.#probeSettled = resolve;
        });
        return this.#ticket(true);
      }
      // Half-open: a probe is out; wait for it.
      const probe = this.#probe;
      if (probe === undefined) return this.#ticket(false);
      await raceAbort(probe, signal);
    }
  }

  #ticket(isProbe: boolean): BreakerTicket {
    let used = false;
    return {
      done: (success) => {
        if (used) return;
        used = true;
        if (isProbe) this.#probeDone(success);
        else if (success !== undefined) this.#record(success);
      },
    };
  }

  #record(success: boolean): void {
    if (this.#state !== 'closed') return;
    if (success) {
      this.#failures = 0;
      return;
    }
    this.#failures += 1;
    if (this.#failures >= this.options.failureThreshold) this.#open();
  }

  #probeDone(success: boolean | undefined): void {
    if (success === true) {
      this.#failures = 0;
      this.#openFor = this.options.openMs;
      this.#setState('closed');
    } else if (success === false) {
      this.#openFor = Math.min(this.options.maxOpenMs, this.#openFor * 2);
      this.#open();
    } else {
      // Abandoned probe: let the next caller probe at once.
      this.#openUntil = 0;
      this.#setState('open');
    }
    const settled = this.#probeSettled;
    this.#probe = undefined;
    this.#probeSettled = undefined;
    settled?.();
  }

  #open(): void {
    this.#openUntil = Date.now() + this.#openFor;
    this.#setState('open');
  }

  #setState(state: BreakerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.options.onStateChange?.(state);
  }
}

function raceAbort(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
