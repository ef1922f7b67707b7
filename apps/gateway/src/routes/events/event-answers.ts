import { jsonText } from '@ddup/hashing';
import type { AdmitResult } from '@ddup/store';
import { firstSeenAt } from '../admitted-result.ts';
import type { ParsedEvent } from '../../validation/parse-event.ts';

/**
 * The 202's body. The event is written as it was parsed, numbers as written (`100.0`, integers
 * past 2^53, `1e400`): what was hashed, and what the Python service echoed. `JSON.stringify`
 * would send them through JS numbers (`100`, `18446744073709552000`, `null`).
 */
export function acceptedBody({ event }: ParsedEvent, id: string, hash: string): string {
  // Written out rather than built as an object for jsonText: one string, on every 202.
  return (
    `{"status":"accepted","event":{"user_id":${JSON.stringify(event.user_id)},"event_type":${JSON.stringify(event.event_type)},` +
    `"timestamp":${JSON.stringify(event.timestamp)},"payload":${jsonText(event.payload)}},` +
    `"timestamp":"${new Date().toISOString()}","id":${JSON.stringify(id)},"hash":"${hash}"}`
  );
}

/**
 * The 409's body for an event seen within the window: `{detail, hash, state, first_seen_at, code}`,
 * as every ApiError's (errors.ts). A duplicate is an expected answer, not a failure: it is answered
 * directly rather than thrown, which would capture a stack trace on every duplicate.
 */
export function duplicateBody(hash: string, admission: Extract<AdmitResult, { outcome: 'duplicate' }>): string {
  return JSON.stringify({
    detail: 'Duplicate event detected',
    hash,
    state: admission.state,
    first_seen_at: firstSeenAt(admission.firstSeenMs),
    code: 'duplicate',
  });
}
