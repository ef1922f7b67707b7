import { Hono } from 'hono';
import { validationError } from '../../errors.ts';
import { readBodyBytes } from '../../http/read-body.ts';
import { decodeUtf8Body } from '../../http/utf8-body.ts';
import type { EventMetricsEnv } from '../../metrics/count-events.ts';
import type { SpaceEnv } from '../../tenants/authenticate.ts';
import { checkIdempotencyKey, enforceRateLimit, idempotencyKeyOf } from '../../tenants/request-guards.ts';
import { keyEvent } from '../../validation/hash-event.ts';
import { parseEvent } from '../../validation/parse-event.ts';
import { isProblems } from '../../validation/problems.ts';
import { EVENT_TEXT_PER_TURN, yieldToEventLoop } from '../event-loop.ts';
import { acceptedBody, duplicateBody } from './event-answers.ts';

type EventEnv = { Variables: SpaceEnv['Variables'] & EventMetricsEnv['Variables'] };

const JSON_CONTENT = { 'content-type': 'application/json' } as const;

export interface EventRouteDependencies {
  /** `BODY_LIMIT_BYTES`: larger bodies get 413. */
  readonly bodyLimitBytes: number;
}

/**
 * `POST /events` (mounted at `<API_PREFIX>/events`, after `authenticate` found the request's dedup
 * space): the rate limit, then one event through the pipeline (parse, validate, hash, key), the
 * Idempotency-Key check, then admission: 202 with its stream id and dedup key, 409 for a
 * duplicate, 422 for an invalid body or a reused Idempotency-Key.
 */
export function eventRoutes(deps: EventRouteDependencies): Hono<EventEnv> {
  return new Hono<EventEnv>().post('/', async function postEvent(c) {
    const space = c.get('space');
    const idempotencyKey = idempotencyKeyOf(c.req.header('idempotency-key'));
    // Before the body is read: a tenant past its limit costs no more than this.
    if (space.rateLimitPerSecond !== undefined) await enforceRateLimit(space, 1);
    // Bytes first (bounded by the limit), then strict UTF-8: never c.req.text(), which would turn
    // invalid bytes into U+FFFD and let two different bodies hash alike.
    const bytes = await readBodyBytes(c.req.raw, deps.bodyLimitBytes);
    const parsed = parseEvent(decodeUtf8Body(bytes));
    if (isProblems(parsed)) throw validationError(parsed);
    // Parsing and hashing a big body (100,000 keys near the limit) take a while each; let other
    // requests in between rather than block them for both.
    if (bytes.byteLength > EVENT_TEXT_PER_TURN) await yieldToEventLoop();
    const hashed = keyEvent(parsed, space.canonicalForm, space.keyFields);
    if (isProblems(hashed)) throw validationError(hashed);
    if (idempotencyKey !== undefined) await checkIdempotencyKey(space, idempotencyKey, hashed.contentHash);
    const admission = await space.admit(hashed.hash, hashed.canonical);
    if (admission.outcome === 'duplicate') {
      if (admission.firstSeenMs !== undefined) c.set('duplicateFirstSeenMs', admission.firstSeenMs);
      return c.body(duplicateBody(hashed.hash, admission), 409, JSON_CONTENT);
    }
    return c.body(acceptedBody(parsed, admission.id, hashed.hash), 202, JSON_CONTENT);
  });
}
