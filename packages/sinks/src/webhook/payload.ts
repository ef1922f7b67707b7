import type { SinkEvent } from '../sink.ts';

/**
 * The body a webhook gets: the event as accepted, plus its tenant, hash and when it was first
 * seen. Built on the event's own text, not a re-serialisation, so numbers stay as they were written
 * (12345678901234567890 is not rounded, 1.0 stays 1.0); the added fields come last, and win.
 */
export function webhookBody(event: SinkEvent): string {
  const accepted: unknown = JSON.parse(event.eventJson);
  if (typeof accepted !== 'object' || accepted === null || Array.isArray(accepted)) throw new Error('the event is not a JSON object');
  const members = event.eventJson.trim().slice(1, -1).trim();
  const added = `"tenant":${JSON.stringify(event.tenant ?? null)},"hash":${JSON.stringify(event.hash)},"first_seen_at":"${new Date(event.firstSeenMs).toISOString()}"`;
  return `{${members}${members === '' ? '' : ','}${added}}`;
}
