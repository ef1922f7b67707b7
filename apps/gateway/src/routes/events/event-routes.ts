import { Hono } from 'hono';
import type { CanonicalForm } from '@ddup/hashing';
import type { AdmitEvent } from '../../admission/event-admission.ts';
import { validationError } from '../../errors.ts';
import { readBodyBytes } from '../../http/read-body.ts';
import { decodeUtf8Body } from '../../http/utf8-body.ts';
import { hashEvent } from '../../validation/hash-event.ts';
import { parseEvent } from '../../validation/parse-event.ts';
import { isProblems } from '../../validation/problems.ts';
import { EVENT_TEXT_PER_TURN, yieldToEventLoop } from '../event-loop.ts';
import { acceptedBody, duplicateEvent } from './event-answers.ts';

export interface EventRouteDependencies {
  readonly admitEvent: AdmitEvent;
  readonly canonicalForm: CanonicalForm;
  /** `BODY_LIMIT_BYTES`: larger bodies get 413. */
  readonly bodyLimitBytes: number;
}

/**
 * `POST /events` (mounted at `<API_PREFIX>/events`): one event through the pipeline (parse,
 * validate, hash), then admission: 202 with its stream id and hash, 409 for a duplicate, 422 for
 * an invalid body.
 */
export function eventRoutes(deps: EventRouteDependencies): Hono {
  return new Hono().post('/', async function postEvent(c) {
    // Bytes first (bounded by the limit), then strict UTF-8: never c.req.text(), which would turn
    // invalid bytes into U+FFFD and let two different bodies hash alike.
    const bytes = await readBodyBytes(c.req.raw, deps.bodyLimitBytes);
    const parsed = parseEvent(decodeUtf8Body(bytes));
    if (isProblems(parsed)) throw validationError(parsed);
    // Parsing and hashing a big body (100,000 keys near the limit) take a while each; let other
    // requests in between rather than block them for both.
    if (bytes.byteLength > EVENT_TEXT_PER_TURN) await yieldToEventLoop();
    const hashed = hashEvent(parsed, deps.canonicalForm);
    if (isProblems(hashed)) throw validationError(hashed);
    const admission = await deps.admitEvent(hashed.hash, hashed.canonical);
    if (admission.outcome === 'duplicate') throw duplicateEvent(hashed.hash, admission);
    return c.body(acceptedBody(parsed, admission.id, hashed.hash), 202, { 'content-type': 'application/json' });
  });
}
