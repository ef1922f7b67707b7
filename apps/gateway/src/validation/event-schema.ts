import { z } from 'zod';
import { type DedupEvent, type JsonObject, type JsonValue, isJsonObject } from '@ddup/hashing';

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

/** The event's four fields, without unknown ones (ignored anyway), which zod would copy one by one. */
export function eventFieldsOf(body: JsonObject): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  const { user_id, event_type, timestamp, payload } = body;
  if (user_id !== undefined) fields['user_id'] = user_id;
  if (event_type !== undefined) fields['event_type'] = event_type;
  if (timestamp !== undefined) fields['timestamp'] = timestamp;
  if (payload !== undefined) fields['payload'] = payload;
  return fields;
}

/** The four fields the dedup hash is taken of, in a fresh object (no unknown fields). */
export function toDedupEvent(parsed: z.output<typeof eventSchema>): DedupEvent {
  return {
    user_id: parsed.user_id,
    event_type: parsed.event_type,
    timestamp: parsed.timestamp,
    payload: parsed.payload,
  };
}
