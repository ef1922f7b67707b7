import { createHash, hash as oneShotHash } from 'node:crypto';
import { canonicalize, type CanonicalForm } from './canonical-form.ts';
import { emptyJsonObject, type JsonObject } from './json-value.ts';

/** The hashed part of a request body; any other top-level field is left out. */
export interface DedupEvent {
  user_id: string;
  event_type: string;
  timestamp: string;
  payload: JsonObject;
}

/** The dedup key: SHA-256 (hex) of the canonical text of exactly these four fields. */
export function eventHash(event: DedupEvent, form: CanonicalForm): { canonical: string; hash: string } {
  const hashed = emptyJsonObject();
  hashed['user_id'] = event.user_id;
  hashed['event_type'] = event.event_type;
  hashed['timestamp'] = event.timestamp;
  hashed['payload'] = event.payload;
  const canonical = canonicalize(hashed, form);
  return { canonical, hash: sha256Hex(canonical) };
}

// crypto.hash (Node >= 20.12, Bun) skips the Hash object a createHash chain allocates per call.
export const sha256Hex: (text: string) => string =
  typeof oneShotHash === 'function' ? (text) => oneShotHash('sha256', text, 'hex') : (text) => createHash('sha256').update(text, 'utf8').digest('hex');
