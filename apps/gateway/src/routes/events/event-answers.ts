import { type JsonObject, jsonText } from '@ddup/hashing';
import type { Admission } from '../../admission/event-admission.ts';
import { firstSeenAt } from '../../admission/admitted-result.ts';
import { ApiError } from '../../errors.ts';
import type { ParsedEvent } from '../../validation/parse-event.ts';

/**
 * The 202's body. The event is written as it was parsed, numbers as written (`100.0`, integers
 * past 2^53, `1e400`): what was hashed, and what the Python service echoed. `JSON.stringify`
 * would send them through JS numbers (`100`, `18446744073709552000`, `null`).
 */
export function acceptedBody({ event }: ParsedEvent, id: string, hash: string): string {
  const echoed: JsonObject = {
    user_id: event.user_id,
    event_type: event.event_type,
    timestamp: event.timestamp,
    payload: event.payload,
  };
  const body: JsonObject = { status: 'accepted', event: echoed, timestamp: new Date().toISOString(), id, hash };
  return jsonText(body);
}

/** The 409 for an event seen within the window. */
export function duplicateEvent(hash: string, admission: Extract<Admission, { outcome: 'duplicate' }>): ApiError {
  return new ApiError(409, 'duplicate', {
    detail: 'Duplicate event detected',
    hash,
    state: admission.state,
    first_seen_at: firstSeenAt(admission.firstSeenMs),
  });
}
