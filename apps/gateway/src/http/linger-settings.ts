/**
 * How long, and how much, the rest of a refused body is read and thrown away before the connection
 * is cut: after the answer on Node (node/linger.ts), before it on Bun (bun/drain.ts).
 */
export interface LingerSettings {
  /** `LINGER_TIMEOUT_MS`; 0 cuts the connection at once. */
  readonly timeoutMs: number;
  /** `LINGER_MAX_BYTES`: body bytes discarded at most; 0 cuts the connection at once. */
  readonly maxBytes: number;
}

export const DEFAULT_LINGER: LingerSettings = { timeoutMs: 5_000, maxBytes: 64 * 1024 * 1024 };
