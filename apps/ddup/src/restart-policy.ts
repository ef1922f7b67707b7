export interface RestartPolicySettings {
  /** The first back-off; it doubles with each death in a row. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A child that ran this long before it died starts the back-off again from the first delay. */
  readonly resetAfterMs: number;
  /** Restarts allowed within `windowMs`; one death more and the child is given up. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: Omit<RestartPolicySettings, 'maxRestarts'> = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  resetAfterMs: 30_000,
  windowMs: 60_000,
};

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number }
  /** `restarts`: how many there were within the window already. */
  | { readonly restart: false; readonly restarts: number };

/** When to restart a child that died, and when to stop trying: exponential back-off under a rate limit. */
export class RestartPolicy {
  readonly settings: RestartPolicySettings;
  #restarts: number[] = [];
  #nextDelayMs: number;

  constructor(settings: RestartPolicySettings) {
    this.settings = settings;
    this.#nextDelayMs = settings.initialDelayMs;
  }

  /** A death at `now` of a child that had been running for `ranForMs`. */
  onDeath(now: number, ranForMs: number): RestartDecision {
    const { initialDelayMs, maxDelayMs, resetAfterMs, maxRestarts, windowMs } = this.settings;
    this.#restarts = this.#restarts.filter((at) => now - at < windowMs);
    if (this.#restarts.length >= maxRestarts) return { restart: false, restarts: this.#restarts.length };
    if (ranForMs >= resetAfterMs) this.#nextDelayMs = initialDelayMs;
    const delayMs = this.#nextDelayMs;
    this.#nextDelayMs = Math.min(delayMs * 2, maxDelayMs);
    this.#restarts.push(now);
    return { restart: true, delayMs };
  }
}
