import { type JsonObject, jsonText } from '@ddup/hashing';
import type { Admission } from '../../admission/event-admission.ts';
import { firstSeenAt } from '../../admission/admitted-result.ts';
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

/**
 * The 409's body for an event seen within the window: `{detail, hash, state, first_seen_at, code}`,
 * as every ApiError's (errors.ts). A duplicate is an expected answer, not a failure: it is answered
 * directly rather than thrown, which would capture a stack trace on every duplicate.
 */
export function duplicateBody(hash: string, admission: Extract<Admission, { outcome: 'duplicate' }>): string {
  return JSON.stringify({
    detail: 'Duplicate event detected',
    hash,
    state: admission.state,
    first_seen_at: firstSeenAt(admission.firstSeenMs),
    code: 'duplicate',
  });
}
