import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { type Logger, rateLimited } from '@ddup/runtime';
import { tooManyFailedTokens, unauthorized } from '../../errors.ts';
import { clientAddressOf } from '../../http/client-address.ts';
import { FailureThrottle } from './failure-throttle.ts';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other header. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/** Whether `given` is `token`, compared in constant time over their digests. */
function sameToken(given: string, expected: Buffer): boolean {
  return timingSafeEqual(sha256(given), expected);
}

/**
 * Whether the request presents `token` (`Authorization: Bearer`, or `?<queryParameter>=`), for a
 * route that answers either way but shows more with it; no throttle or log (requireBearerToken
 * guards the routes that refuse).
 */
export function presentsToken(c: Context, token: string, queryParameter: string): boolean {
  const given = bearerTokenOf(c.req.header('authorization')) ?? c.req.query(queryParameter);
  return given !== undefined && given !== '' && sameToken(given, sha256(token));
}

/** At most one warning about refused tokens per this many ms (with how many were not logged). */
const FAILURE_LOG_INTERVAL_MS = 10_000;

export interface BearerTokenOptions {
  readonly logger: Logger;
  /** What the warnings call the guarded routes (`admin`, `metrics`). */
  readonly routes: string;
  /** Where the token may also be given (`?token=`) when a header cannot be set (a browser's EventSource). */
  readonly queryParameter?: string;
}

/**
 * Lets through only requests with `Authorization: Bearer <token>`; any other gets 401
 * `unauthorized` with `WWW-Authenticate: Bearer`. Both sides are hashed before the constant-time
 * comparison, so neither the time taken nor a length check tells how close a guess was. A client
 * address with MAX_FAILURES_PER_WINDOW wrong tokens within a minute gets 429 with Retry-After
 * (its token not even compared) until that minute is over; refusals are logged, rate-limited.
 *
 * @example
 * ```ts
 * admin.use(requireBearerToken(config.DDUP_ADMIN_TOKEN, { logger, routes: 'admin' }));
 * ```
 */
export function requireBearerToken(token: string, options: BearerTokenOptions, throttle = new FailureThrottle()): MiddlewareHandler {
  const expected = sha256(token);
  let last = { address: '', failures: 0 };
  const warn = rateLimited(FAILURE_LOG_INTERVAL_MS, (suppressed) =>
    options.logger.warn(`${options.routes}: wrong or missing bearer token`, { client: last.address, failures: last.failures, suppressed }),
  );
  return async function checkBearerToken(c, next) {
    const address = clientAddressOf(c);
    const now = Date.now();
    const blockedMs = throttle.blockedForMs(address, now);
    if (blockedMs > 0) throw tooManyFailedTokens(blockedMs);
    const given = bearerTokenOf(c.req.header('authorization')) ?? (options.queryParameter && c.req.query(options.queryParameter));
    if (!given || !sameToken(given, expected)) {
      last = { address, failures: throttle.recordFailure(address, now) };
      warn();
      throw unauthorized();
    }
    await next();
  };
}
