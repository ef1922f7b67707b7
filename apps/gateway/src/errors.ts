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
  | 'not_found'
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
