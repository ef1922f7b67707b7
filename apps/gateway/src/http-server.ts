import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

/**
 * How long a client has to send a whole request, headers and body, before the connection is
 * answered 408 and closed: the cure for uploads that stall or trickle (slowloris).
 */
export const BODY_TIMEOUT_MS = 10_000;

export interface ListenOptions {
  /** Time allowed to receive a whole request (headers included); default `BODY_TIMEOUT_MS`. */
  readonly bodyTimeoutMs?: number;
}

/**
 * Serves the app with @hono/node-server and resolves with the server once it listens (`port` 0
 * picks a free port; read it from `server.address()`).
 */
export function listen(app: Hono, port: number, hostname: string | undefined, options: ListenOptions = {}): Promise<Server> {
  const timeoutMs = options.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port,
        ...(hostname ? { hostname } : {}),
        serverOptions: {
          // Node answers 408 and closes when a request is not complete in time (headersTimeout
          // then defaults to the same value). Node only looks every connectionsCheckingInterval
          // (30 s by default), so look often enough for the timeout to mean what it says.
          requestTimeout: timeoutMs,
          connectionsCheckingInterval: checkingInterval(timeoutMs),
        },
      },
      () => {
        server.off('error', reject);
        resolve(server);
      },
    ) as Server;
    answerClientErrorsWithJson(server, timeoutMs);
    closeConnectionsWhenClosing(server);
    server.once('error', reject);
  });
}

function checkingInterval(timeoutMs: number): number {
  if (timeoutMs <= 0) return 30_000;
  return Math.min(1_000, Math.max(25, Math.floor(timeoutMs / 4)));
}

/**
 * Node's own answers to requests it cannot hand to the app (408 on a stalled request, 400 on a
 * malformed one, 431 on huge headers) are plain text; these say the same in the gateway's JSON.
 * As Node does, nothing is written when a response has already started on the connection.
 */
function answerClientErrorsWithJson(server: Server, timeoutMs: number): void {
  const inFlight = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    inFlight.set(request.socket, response);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const response = inFlight.get(socket);
    const started = response !== undefined && !response.writableFinished && response.headersSent;
    if (error.code !== 'ECONNRESET' && socket.writable && !started) {
      socket.write(clientErrorResponse(error.code, timeoutMs));
    }
    socket.destroy();
  });
}

function clientErrorResponse(code: string | undefined, timeoutMs: number): string {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return rawJsonResponse(408, 'Request Timeout', {
        detail: `The request was not received completely within ${timeoutMs} ms`,
        code: 'request_timeout',
      });
    case 'HPE_HEADER_OVERFLOW':
      return rawJsonResponse(431, 'Request Header Fields Too Large', {
        detail: 'The request headers are too large',
        code: 'headers_too_large',
      });
    default:
      return rawJsonResponse(400, 'Bad Request', { detail: 'The request is not valid HTTP', code: 'bad_request' });
  }
}

function rawJsonResponse(status: number, reason: string, body: Record<string, unknown>): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
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
