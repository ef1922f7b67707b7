import { type IncomingMessage, STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestError } from '@hono/node-server';
import { type ApiError, badRequest, errorBody, errorResponse, headersTooLarge, requestTimeout } from '../../errors.ts';

/**
 * The adapter's answer to a request it cannot turn into a URL (no `Host` on HTTP/1.1, a malformed
 * `Host`, a backslash in the path): a bare 400 of its own unless this gives one.
 */
export function answerUnusableRequest(error: unknown): Response {
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
export function answerClientErrorsWithJson(server: Server, timeoutMs: number, isLingering: (socket: Duplex) => boolean): void {
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
  const json = JSON.stringify(errorBody(error));
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n\r\n' +
    json
  );
}
