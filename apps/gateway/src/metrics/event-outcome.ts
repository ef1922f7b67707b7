/** What became of one posted event, as `ddup_events_total{outcome}` counts it. */
export type EventOutcome = 'accepted' | 'duplicate' | 'invalid' | 'unavailable' | 'rejected';

export const EVENT_OUTCOMES: readonly EventOutcome[] = ['accepted', 'duplicate', 'invalid', 'unavailable', 'rejected'];

/** Which event route it came through: `POST /events` or `POST /events/batch`. */
export type EventRoute = 'single' | 'batch';

/**
 * The outcome an event route's answer stands for: 202 accepted, 409 duplicate, 400/422 invalid,
 * 503 unavailable (Redis away, or the gateway overloaded), 401/403/413/429 rejected (not looked
 * at: no key, too large, over a rate limit). Undefined for the rest (a 408 or 417 never reached
 * the event), which are not counted as events.
 */
export function outcomeOfStatus(status: number): EventOutcome | undefined {
  if (status === 202) return 'accepted';
  if (status === 409) return 'duplicate';
  if (status === 400 || status === 422) return 'invalid';
  if (status === 503) return 'unavailable';
  if (status === 401 || status === 403 || status === 413 || status === 429) return 'rejected';
  return undefined;
}

/** `2xx`, `4xx`, ...: the status label of the request-duration histogram (bounded). */
export function statusClassOf(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
