import { randomUUID } from 'node:crypto';
import { type DedupEvent, eventHash, isJsonObject, parseJson } from '@ddup/hashing';
import type { EventToAdmit } from '@ddup/store';
import { eventJson } from './event-bodies.ts';

/** One event hashed ahead, so that timing sees Redis only. */
export type PreparedAdmission = EventToAdmit;

/** The same parse the gateway does (numbers kept as written), then the event's four fields. */
function toEvent(text: string): DedupEvent {
  const body = parseJson(text);
  if (
    !isJsonObject(body) ||
    typeof body.user_id !== 'string' ||
    typeof body.event_type !== 'string' ||
    typeof body.timestamp !== 'string' ||
    !isJsonObject(body.payload)
  ) {
    throw new Error(`benchmark event has an unexpected shape: ${text}`);
  }
  return { user_id: body.user_id, event_type: body.event_type, timestamp: body.timestamp, payload: body.payload };
}

/** `count` unique events of the HTTP scenarios' shape, hashed in the Python canonical form as the gateway hashes them. */
export function prepareAdmissions(count: number): PreparedAdmission[] {
  const timestamp = new Date().toISOString();
  return Array.from({ length: count }, (_, n) => {
    const { canonical, hash } = eventHash(toEvent(eventJson(randomUUID(), n, timestamp)), 'python');
    return { hash, canonical };
  });
}
