import type { SinkEvent } from '../sink.ts';

/** The body a webhook gets: the event as accepted, plus its tenant, hash and when it was first seen. */
export function webhookBody(event: SinkEvent): string {
  const accepted: unknown = JSON.parse(event.eventJson);
  if (typeof accepted !== 'object' || accepted === null || Array.isArray(accepted)) throw new Error('the event is not a JSON object');
  return JSON.stringify({ ...accepted, tenant: event.tenant ?? null, hash: event.hash, first_seen_at: new Date(event.firstSeenMs).toISOString() });
}
