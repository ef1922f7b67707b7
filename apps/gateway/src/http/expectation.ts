import type { MiddlewareHandler } from 'hono';
import { expectationFailed } from '../errors.ts';

/**
 * Answers 417 to an `Expect` the server cannot meet (RFC 9110 §10.1.1): anything but
 * `100-continue`, which the runtimes answer themselves before the app sees the request. Node hands
 * such requests to the app (node/server.ts) rather than answer a bare 417 itself; Bun passes them
 * through as it is.
 *
 * @example
 * ```ts
 * app.use(refuseUnmetExpectations());
 * ```
 */
export function refuseUnmetExpectations(): MiddlewareHandler {
  return async function refuseUnmetExpectation(c, next) {
    const expectation = c.req.header('expect');
    if (expectation !== undefined && expectation.trim().toLowerCase() !== '100-continue') throw expectationFailed(expectation);
    await next();
  };
}
