import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { stopWithin } from '../graceful-stop.ts';

const closing = new WeakSet<Server>();
const unanswered = new WeakMap<Server, Set<ServerResponse>>();

/**
 * Keep-alive clients with steady traffic would go on being served after `server.close()` (it only
 * drops connections idle at that instant), until the shutdown timeout cut them mid-request. So
 * once closing, every response, including those still being worked on, says `Connection: close`,
 * and each connection ends after its current request.
 */
export function closeConnectionsWhenClosing(server: Server): void {
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
  await stopWithin(timeoutMs, closed, async () => {
    server.closeAllConnections();
    await closed;
  });
}
