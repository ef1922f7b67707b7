/** Reconnect quickly at first, then every 2 s at most, for ever: an outage must end by itself. */
export function reconnectDelayMs(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 2_000);
}
