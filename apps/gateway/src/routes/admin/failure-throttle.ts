/** Wrong tokens allowed per client address within `FAILURE_WINDOW_MS` by default; past them, 429 until the window ends. */
export const MAX_FAILURES_PER_WINDOW = 10;
export const FAILURE_WINDOW_MS = 60_000;
/** Addresses remembered at most: past it, those whose window ended are forgotten, then the oldest. */
const MAX_ADDRESSES = 10_000;

interface Failures {
  readonly sinceMs: number;
  count: number;
}

/**
 * Counts failed authentications per client address in fixed windows (a window opens with an
 * address's first failure), so that guessing a token runs at MAX_FAILURES_PER_WINDOW a minute
 * per address instead of as fast as the network carries requests.
 */
export class FailureThrottle {
  readonly #byAddress = new Map<string, Failures>();

  constructor(
    private readonly maxFailures = MAX_FAILURES_PER_WINDOW,
    private readonly windowMs = FAILURE_WINDOW_MS,
  ) {}

  /** How long `address` must wait before it may try again (0: it may try now). */
  blockedForMs(address: string, nowMs: number): number {
    const failures = this.#current(address, nowMs);
    if (failures === undefined || failures.count < this.maxFailures) return 0;
    return failures.sinceMs + this.windowMs - nowMs;
  }

  /** Counts one failure of `address`; returns its failures in the current window. */
  recordFailure(address: string, nowMs: number): number {
    const failures = this.#current(address, nowMs);
    if (failures !== undefined) return ++failures.count;
    if (this.#byAddress.size >= MAX_ADDRESSES) this.#forgetSome(nowMs);
    this.#byAddress.set(address, { sinceMs: nowMs, count: 1 });
    return 1;
  }

  #current(address: string, nowMs: number): Failures | undefined {
    const failures = this.#byAddress.get(address);
    if (failures === undefined || nowMs - failures.sinceMs < this.windowMs) return failures;
    this.#byAddress.delete(address);
    return undefined;
  }

  #forgetSome(nowMs: number): void {
    for (const [address, failures] of this.#byAddress) if (nowMs - failures.sinceMs >= this.windowMs) this.#byAddress.delete(address);
    // Still full (a flood from many addresses): the oldest windows go first (a Map keeps insertion order).
    for (const address of this.#byAddress.keys()) {
      if (this.#byAddress.size < MAX_ADDRESSES) break;
      this.#byAddress.delete(address);
    }
  }
}
