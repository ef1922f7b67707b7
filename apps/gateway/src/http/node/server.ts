import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { getRequestListener, type HttpBindings, type Http2Bindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { BodyBudget, withBodyBudget } from '../body-budget.ts';
import { DEFAULT_LINGER, type LingerSettings } from '../linger-settings.ts';
import { answerClientErrorsWithJson, answerUnusableRequest } from './client-errors.ts';
import { closeConnectionsWhenClosing } from './graceful-close.ts';
import { lingerAfterEarlyAnswers } from './linger.ts';

export { closeGracefully } from './graceful-close.ts';

/**
 * How long a client has to send a whole request, headers and body, before the connection is
 * answered 408 and closed: the cure for uploads that stall or trickle (slowloris).
 */
export const BODY_TIMEOUT_MS = 10_000;

/** `MAX_INFLIGHT_BODY_BYTES` by default. */
export const DEFAULT_MAX_INFLIGHT_BODY_BYTES = 256 * 1024 * 1024;

export interface ListenOptions {
  /** Time allowed to receive a whole request (headers included); default `BODY_TIMEOUT_MS`. */
  readonly bodyTimeoutMs?: number;
  /** Reading and discarding the rest of a refused body (linger.ts); default `DEFAULT_LINGER`. */
  readonly linger?: LingerSettings;
  /** Request body bytes held in memory at once (body-budget.ts); default 256 MiB. */
  readonly maxInflightBodyBytes?: number;
}

/**
 * Serves the app on node:http through @hono/node-server's request listener and resolves with the
 * server once it listens (`port` 0 picks a free port; read it from `server.address()`). Every
 * answer is JSON, Node's own included (see client-errors.ts).
 */
export function listen(app: Hono, port: number, hostname: string | undefined, options: ListenOptions = {}): Promise<Server> {
  const timeoutMs = options.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  const budget = new BodyBudget(options.maxInflightBodyBytes ?? DEFAULT_MAX_INFLIGHT_BODY_BYTES);
  const fetch = withBodyBudget((request: Request, env: HttpBindings | Http2Bindings) => app.fetch(request, env), budget);
  const server = createServer(
    {
      // Node answers 408 and closes when a request is not complete in time (headersTimeout
      // then defaults to the same value). Node only looks every connectionsCheckingInterval
      // (30 s by default), so look often enough for the timeout to mean what it says.
      requestTimeout: timeoutMs,
      connectionsCheckingInterval: checkingInterval(timeoutMs),
      // Node would answer an HTTP/1.1 request without Host with a bare 400 of its own; the
      // adapter refuses it instead (RequestError), and that becomes a JSON 400 (client-errors.ts).
      requireHostHeader: false,
    },
    getRequestListener(fetch, {
      // The adapter's own clean-up of unread bodies cuts the connection after 500 ms; linger.ts
      // does it within LINGER_TIMEOUT_MS and LINGER_MAX_BYTES instead.
      autoCleanupIncoming: false,
      errorHandler: answerUnusableRequest,
    }),
  );
  // Node answers an `Expect` other than 100-continue with a bare 417 unless told otherwise: hand
  // such requests to the app like any other, which answers them in JSON (../expectation.ts), as under Bun.
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => server.emit('request', request, response));
  const isLingering = lingerAfterEarlyAnswers(server, options.linger ?? DEFAULT_LINGER);
  answerClientErrorsWithJson(server, timeoutMs, isLingering);
  closeConnectionsWhenClosing(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function checkingInterval(timeoutMs: number): number {
  if (timeoutMs <= 0) return 30_000;
  return Math.min(1_000, Math.max(25, Math.floor(timeoutMs / 4)));
}
