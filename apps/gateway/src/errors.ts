import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** What went wrong, in a word a client can switch on. */
export type ApiErrorCode =
  | 'validation_failed'
  | 'duplicate'
  | 'body_too_large'
  | 'bad_request'
  | 'request_timeout'
  | 'headers_too_large'
  | 'redis_unavailable'
  | 'overloaded'
  | 'expectation_failed'
  | 'not_found'
  | 'unauthorized'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'idempotency_key_reused'
  | 'invalid_idempotency_key'
  | 'too_many_failed_tokens'
  | 'too_many_streams'
  | 'misdirected_request'
  | 'cross_site_request'
  | 'internal';

/**
 * The gateway's one error type. It carries its whole JSON body, so `onError` can answer every
 * failure the same way: `{detail, code, ...}`.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message: typeof body.detail === 'string' ? body.detail : code });
  }
}

/** The FastAPI/pydantic v2 shape of one validation problem, kept for clients of the old service. */
export interface ValidationProblem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

export function validationError(problems: ValidationProblem[]): ApiError {
  return new ApiError(422, 'validation_failed', { detail: problems });
}

/** The JSON body an ApiError stands for: `{...body, code}`. */
export function errorBody(error: ApiError): Record<string, unknown> {
  return { ...error.body, code: error.code };
}

/** The answer an ApiError stands for: for the app's onError and the server layers alike. */
export function errorResponse(error: ApiError): Response {
  return Response.json(errorBody(error), { status: error.status, headers: error.headers });
}

export function bodyTooLarge(limitBytes: number): ApiError {
  return new ApiError(413, 'body_too_large', {
    detail: `Request body is larger than the limit of ${limitBytes} bytes`,
    limit_bytes: limitBytes,
  });
}

export const RETRY_AFTER_SECONDS = 1;

export function redisUnavailable(reason: string): ApiError {
  return new ApiError(
    503,
    'redis_unavailable',
    { detail: 'Storage is unavailable; the event was not accepted, retry later', reason },
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}

/**
 * The request bodies being held in memory already add up to `MAX_INFLIGHT_BODY_BYTES`: this one
 * is refused rather than let the heap grow without bound. Nothing of it was stored.
 */
export function overloaded(capBytes: number): ApiError {
  return new ApiError(
    503,
    'overloaded',
    {
      detail: 'The gateway is holding as many request bodies as it may; the request was not accepted, retry later',
      max_inflight_body_bytes: capBytes,
    },
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}

/** An `Expect` other than `100-continue` (RFC 9110 §10.1.1). */
export function expectationFailed(expectation: string): ApiError {
  return new ApiError(417, 'expectation_failed', {
    detail: `Expect: ${expectation} is not supported (only 100-continue is)`,
  });
}

/** A request Node parsed but that names no usable URL: no `Host` on HTTP/1.1, a bad `Host`, a backslash in the path. */
export function badRequest(detail: string): ApiError {
  return new ApiError(400, 'bad_request', { detail });
}

/** A request not received completely in time (`BODY_TIMEOUT_MS`), on Node and Bun alike; the connection is closed after it. */
export function requestTimeout(timeoutMs: number): ApiError {
  return new ApiError(408, 'request_timeout', { detail: `The request was not received completely within ${timeoutMs} ms` }, { connection: 'close' });
}

/** An admin request without the right `Authorization: Bearer <DDUP_ADMIN_TOKEN>`. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'unauthorized', { detail: 'Missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
}

/** An event request without an API key of a tenant in TENANTS_FILE. */
export function noApiKey(given: boolean): ApiError {
  return new ApiError(
    401,
    'unauthorized',
    { detail: given ? 'Unknown API key' : 'An API key is required: Authorization: Bearer <key> or X-API-Key: <key>' },
    { 'www-authenticate': 'Bearer' },
  );
}

/** The tenant's rate limit is spent; nothing of the request was stored. */
export function rateLimited(retryAfterMs: number, limitPerSecond: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ApiError(
    429,
    'rate_limited',
    { detail: `Rate limit of ${limitPerSecond} events a second reached; the request was not accepted, retry later`, retry_after_ms: retryAfterMs },
    { 'retry-after': String(seconds) },
  );
}

/**
 * A new Idempotency-Key from a tenant that holds its max_idempotency_keys: 429 rather than 507,
 * since it is this tenant's bound (others are served) and it passes by itself as keys expire.
 */
export function quotaExceeded(retryAfterMs: number, maxKeys: number): ApiError {
  return new ApiError(
    429,
    'quota_exceeded',
    {
      detail: `This tenant holds its quota of ${maxKeys} Idempotency-Keys (each kept for its window); the request was not accepted. Retry later, or send it without the header`,
      retry_after_ms: retryAfterMs,
      max_idempotency_keys: maxKeys,
    },
    { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  );
}

/** An Idempotency-Key seen before with other content (draft-ietf-httpapi-idempotency-key-header: 422). */
export function idempotencyKeyReused(): ApiError {
  return new ApiError(422, 'idempotency_key_reused', {
    detail: 'This Idempotency-Key was used before with different content; use a new key for a new request',
  });
}

/** An Idempotency-Key header that is empty or too long. */
export function invalidIdempotencyKey(detail: string): ApiError {
  return new ApiError(400, 'invalid_idempotency_key', { detail });
}

/** Nothing is known under this name (a 404 the route itself gives, as `{detail, code}`). */
export function notFound(detail: string): ApiError {
  return new ApiError(404, 'not_found', { detail });
}

export function headersTooLarge(): ApiError {
  return new ApiError(431, 'headers_too_large', { detail: 'The request headers are too large' });
}

/** Too many wrong tokens from this client address within a minute: not even compared until `retryAfterMs` has passed. */
export function tooManyFailedTokens(retryAfterMs: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ApiError(
    429,
    'too_many_failed_tokens',
    { detail: `Too many wrong tokens from this address; retry in ${seconds} s`, retry_after_ms: retryAfterMs },
    { 'retry-after': String(seconds) },
  );
}

/** As many dashboard streams are open as `DASHBOARD_MAX_STREAMS` allows. */
export function tooManyStreams(maxStreams: number): ApiError {
  return new ApiError(
    503,
    'too_many_streams',
    { detail: `${maxStreams} dashboard streams are open already, the most this gateway serves; retry later`, max_streams: maxStreams },
    { 'retry-after': String(RETRY_AFTER_SECONDS * 5), connection: 'close' },
  );
}

/** A request to a loopback-only gateway naming another host (a browser led there by DNS rebinding). */
export function misdirectedRequest(host: string): ApiError {
  return new ApiError(421, 'misdirected_request', {
    detail: `This gateway listens on this machine only and does not answer to Host ${JSON.stringify(host.slice(0, 100))}`,
  });
}

/** A write a browser sent from a page of another site to an open gateway. */
export function crossSiteRequest(origin: string): ApiError {
  return new ApiError(403, 'cross_site_request', {
    detail: `Requests from pages of another site (Origin ${JSON.stringify(origin.slice(0, 100))}) are refused by an open gateway; use TENANTS_FILE and an API key`,
  });
}
