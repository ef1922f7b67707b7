import { type RememberedEvent, deadLetterSummary } from '@ddup/store';
import { firstSeenAt } from '../admitted-result.ts';

/** `GET /admin/events/{hash}`: what the index remembers of the event; times in ISO 8601 UTC. */
export function rememberedEventBody(event: RememberedEvent) {
  return {
    hash: event.hash,
    state: event.state,
    first_seen_at: firstSeenAt(event.firstSeenMs),
    expires_at: new Date(event.expiresMs).toISOString(),
  };
}

/** One dead letter as `GET /admin/dead-letters` lists it (the store's summary, as the CLI's --json). */
export const deadLetterBody = deadLetterSummary;
