import { errorResponse, requestTimeout } from '../../errors.ts';
import { hasBody } from '../body-framing.ts';

/** The JSON 408 that Node's `requestTimeout` handling (node/client-errors.ts) answers, for Bun. */
export function requestTimeoutResponse(timeoutMs: number): Response {
  return errorResponse(requestTimeout(timeoutMs));
}

type Fetch = (request: Request) => Response | Promise<Response>;

interface Waiting {
  readonly expiresAt: number;
  readonly resolve: (response: Response) => void;
}

/** How often expired requests are looked for: the 408 comes at most this late. */
export function deadlineSweepMs(timeoutMs: number): number {
  return Math.min(250, Math.max(10, Math.floor(timeoutMs / 10)));
}

/**
 * Answers JSON 408 (and closes the connection) when a request with a body is not answered within
 * `timeoutMs` (plus up to `deadlineSweepMs`): a stalled or trickling upload. Bun has no
 * request-receive timeout of its own that answers anything (see `bunIdleTimeoutSeconds`, server.ts). The
 * handler still waiting for the body sees its stream fail when Bun closes the connection, and its
 * answer goes nowhere. Requests without a body arrive complete (Bun calls `fetch` only once the
 * headers are in), so they are left alone.
 *
 * The deadline runs until the answer, not only until the body is in: a handler slower than
 * `timeoutMs` would get 408 too. Redis waits are bounded by REDIS_COMMAND_TIMEOUT_MS (1 s by
 * default, against 10 s here), so that takes a BODY_TIMEOUT_MS set below the Redis timeouts.
 *
 * One interval timer for all requests rather than one timer each: every request has the same
 * timeout, so insertion order is expiry order and a sweep stops at the first one still in time.
 */
export function withRequestDeadline(fetch: Fetch, timeoutMs: number): Fetch {
  if (timeoutMs <= 0) return fetch;
  const waiting = new Set<Waiting>();
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const entry of waiting) {
      if (entry.expiresAt > now) break;
      waiting.delete(entry);
      entry.resolve(requestTimeoutResponse(timeoutMs));
    }
    if (waiting.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  return (request) => {
    if (!hasBody(request.headers)) return fetch(request);
    const answer = fetch(request);
    if (answer instanceof Response) return answer;
    return new Promise<Response>((resolve, reject) => {
      const entry: Waiting = { expiresAt: Date.now() + timeoutMs, resolve };
      waiting.add(entry);
      sweeper ??= setInterval(sweep, deadlineSweepMs(timeoutMs));
      answer.then(
        (response) => {
          waiting.delete(entry);
          resolve(response);
        },
        (error: unknown) => {
          waiting.delete(entry);
          reject(error);
        },
      );
    });
  };
}
