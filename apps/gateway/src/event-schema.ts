import { z } from 'zod';
import { type DedupEvent, type JsonObject, isJsonObject } from '@ddup/hashing';

/**
 * The event body, as the Python service's pydantic model declared it. Unknown top-level fields are
 * allowed and ignored (they are not part of the hash).
 */
export const eventSchema = z.looseObject({
  user_id: z.string(),
  event_type: z.string(),
  timestamp: z.string(),
  payload: z.custom<JsonObject>(isJsonObject),
});

/** The four fields the dedup hash is taken of, in a fresh object (no unknown fields). */
export function toDedupEvent(parsed: z.output<typeof eventSchema>): DedupEvent {
  return {
    user_id: parsed.user_id,
    event_type: parsed.event_type,
    timestamp: parsed.timestamp,
    payload: parsed.payload,
  };
}
