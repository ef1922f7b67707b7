import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LingerSettings } from '../linger-settings.ts';

/**
 * Lingering close, as nginx does it, for every answer that goes out before its request's body is
 * all in (a 413, a 503 `overloaded`, a 417, a 404 to a POST...). Without it the connection is
 * closed with unread bytes in flight, the kernel resets it, and a client still sending (Node's
 * fetch, Python's urllib and http.client, which send the whole body before they read) sees EPIPE
 * or ECONNRESET instead of the answer: "too large" looks like a network failure.
 *
 * So the answer goes out at once (curl and the like stop sending when they see it), and the rest
 * of the body is read and dropped chunk by chunk, never kept, until it ends; then the connection
 * serves the next request as usual. A client still sending after `maxBytes` or `timeoutMs` is
 * cut. (Node's `requestTimeout`, BODY_TIMEOUT_MS from the start of the request, also still cuts it.)
 *
 * This is why the app's refusals do not say `Connection: close`: Node would then close the socket
 * as soon as the answer is written, which is the reset this avoids.
 *
 * Returns whether a socket is lingering now: nothing more may be written on it (Node's 408 for a
 * request that is still not complete comes after its answer).
 */
export function lingerAfterEarlyAnswers(server: Server, settings: LingerSettings): (socket: Duplex) => boolean {
  const lingering = new WeakSet<Duplex>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    let lingers = false;
    let closeAfter = false;
    // Before Node's own 'finish' handling, which would `_dump()` a body nobody is reading (the
    // parser then drops it unseen and uncounted): take the rest of the body over.
    response.prependOnceListener('finish', () => {
      const socket = request.socket;
      if (request.complete || socket.destroyed) return;
      lingers = true;
      lingering.add(socket);
      discardRest(request, socket, settings, (cut) => {
        lingering.delete(socket);
        if (cut || closeAfter) socket.destroy();
      });
    });
    // After it: if the answer said `Connection: close` (the client asked for it, as urllib does, or
    // the server is shutting down), Node has just ended the socket (FIN, as nginx's
    // shutdown(SHUT_WR)) and would destroy it once that is sent, resetting the upload. Keep the
    // reading side open until the rest is discarded, then close. (Node's `destroySoon` queues
    // `this.destroy` on 'finish'; removing that one listener is the only way to keep the half-open
    // socket.)
    response.once('finish', () => {
      const socket = request.socket;
      if (!lingers || !socket.writableEnded || socket.destroyed) return;
      closeAfter = true;
      socket.off('finish', socket.destroy);
    });
  });
  return (socket) => lingering.has(socket);
}

/** Reads and drops the rest of the body; `done(cut)` once it ended (false) or was cut short (true). */
function discardRest(request: IncomingMessage, socket: Duplex, settings: LingerSettings, done: (cut: boolean) => void): void {
  if (settings.timeoutMs <= 0 || settings.maxBytes <= 0) {
    done(true);
    return;
  }
  let discarded = 0;
  const finish = (cut: boolean) => {
    clearTimeout(timer);
    request.off('data', onData);
    request.off('end', ended);
    socket.off('close', ended);
    done(cut);
  };
  const ended = () => finish(false);
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > settings.maxBytes) finish(true);
  };
  const timer = setTimeout(() => finish(true), settings.timeoutMs);
  // Whoever read part of the body (the app's web stream, which would queue what follows and pause
  // the request again) is done with it: the answer is out. Then every chunk comes here, is counted
  // and dropped. (`resume()` also tells Node not to `_dump()` the request.)
  request.removeAllListeners('data');
  request.on('data', onData);
  request.once('end', ended);
  socket.once('close', ended);
  request.resume();
}
