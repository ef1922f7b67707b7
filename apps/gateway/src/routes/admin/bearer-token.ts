import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { unauthorized } from '../../errors.ts';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for any other header. */
function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Lets through only requests with `Authorization: Bearer <token>`; any other gets 401
 * `unauthorized` with `WWW-Authenticate: Bearer`. Both sides are hashed before the constant-time
 * comparison, so neither the time taken nor a length check tells how close a guess was.
 *
 * @example
 * ```ts
 * admin.use(requireBearerToken(config.DDUP_ADMIN_TOKEN));
 * ```
 */
export function requireBearerToken(token: string): MiddlewareHandler {
  const expected = sha256(token);
  return async function checkBearerToken(c, next) {
    const given = bearerTokenOf(c.req.header('authorization'));
    if (given === undefined || !timingSafeEqual(sha256(given), expected)) throw unauthorized();
    await next();
  };
}
