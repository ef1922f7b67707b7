import type { DeadLetter, RememberedEvent } from '@ddup/store';
import { firstSeenAt } from '../../admission/admitted-result.ts';

/** `GET /admin/events/{hash}`: what the index remembers of the event; times in ISO 8601 UTC. */
export function rememberedEventBody(event: RememberedEvent) {
  return {
    hash: event.hash,
    state: event.state,
    first_seen_at: firstSeenAt(event.firstSeenMs),
    expires_at: new Date(event.expiresMs).toISOString(),
  };
}

/** One dead letter as `GET /admin/dead-letters` lists it; `event` is the canonical JSON text as stored. */
export function deadLetterBody(letter: DeadLetter) {
  const { source_id, reason, deliveries, hash, event } = letter.fields;
  return {
    shard: letter.shard,
    id: letter.id,
    source_id: source_id ?? null,
    reason: reason ?? null,
    deliveries: deliveries === undefined ? null : Number(deliveries),
    hash: hash ?? null,
    event: event ?? null,
  };
}
