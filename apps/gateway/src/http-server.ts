import { type IncomingMessage, STATUS_CODES, type Server, type ServerResponse, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestError, getRequestListener, type HttpBindings, type Http2Bindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { BodyBudget, withBodyBudget } from './body-budget.ts';
import { type ApiError, badRequest, errorResponse, headersTooLarge, requestTimeout } from './errors.ts';
import { DEFAULT_LINGER, type LingerSettings, lingerAfterEarlyAnswers } from './linger.ts';

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
 * answer is JSON, Node's own included (see `answerClientErrorsWithJson`, `answerUnusableRequest`).
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
      // adapter refuses it instead (RequestError), and that becomes a JSON 400 below.
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
  // such requests to the app like any other, which answers them in JSON (app.ts), as under Bun.
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

/**
 * The adapter's answer to a request it cannot turn into a URL (no `Host` on HTTP/1.1, a malformed
 * `Host`, a backslash in the path): a bare 400 of its own unless this gives one.
 */
function answerUnusableRequest(error: unknown): Response {
  if (error instanceof RequestError) {
    const detail = error.message === 'Missing host header' ? 'The request has no Host header' : `The request cannot be served: ${error.message}`;
    return errorResponse(badRequest(detail));
  }
  return Response.json({ detail: 'Internal Server Error', code: 'internal' }, { status: 500 });
}

/**
 * Node's own answers to requests it cannot hand to the app (408 on a stalled request, 400 on a
 * malformed one, 431 on huge headers) are plain text; these say the same in the gateway's JSON.
 * As Node does, nothing is written when a response has already started on the connection, nor on
 * a connection lingering after its answer (linger.ts).
 */
function answerClientErrorsWithJson(server: Server, timeoutMs: number, isLingering: (socket: Duplex) => boolean): void {
  const inFlight = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    inFlight.set(request.socket, response);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const response = inFlight.get(socket);
    const started = response !== undefined && !response.writableFinished && response.headersSent;
    if (error.code !== 'ECONNRESET' && socket.writable && !started && !isLingering(socket)) {
      socket.write(rawJsonResponse(clientError(error.code, timeoutMs)));
    }
    socket.destroy();
  });
}

function clientError(code: string | undefined, timeoutMs: number): ApiError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestTimeout(timeoutMs);
    case 'HPE_HEADER_OVERFLOW':
      return headersTooLarge();
    default:
      return badRequest('The request is not valid HTTP');
  }
}

function rawJsonResponse(error: ApiError): string {
  const json = JSON.stringify({ ...error.body, code: error.code });
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n\r\n' +
    json
  );
}

const closing = new WeakSet<Server>();
const unanswered = new WeakMap<Server, Set<ServerResponse>>();

/**
 * Keep-alive clients with steady traffic would go on being served after `server.close()` (it only
 * drops connections idle at that instant), until the shutdown timeout cut them mid-request. So
 * once closing, every response, including those still being worked on, says `Connection: close`,
 * and each connection ends after its current request.
 */
function closeConnectionsWhenClosing(server: Server): void {
  const responses = new Set<ServerResponse>();
  unanswered.set(server, responses);
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (closing.has(server)) {
      response.setHeader('connection', 'close');
      return;
    }
    responses.add(response);
    response.once('close', () => responses.delete(response));
  });
}

/**
 * Stops accepting connections and waits for in-flight requests to finish; idle keep-alive
 * connections are closed at once, busy ones after their current response, and any still open
 * after `timeoutMs` are cut.
 */
export async function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  closing.add(server);
  for (const response of unanswered.get(server) ?? []) {
    if (!response.headersSent) response.setHeader('connection', 'close');
  }
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
