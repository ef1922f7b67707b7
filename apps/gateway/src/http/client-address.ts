import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * The address of the peer a request came from (the proxy's, behind one): from the socket under
 * Node; under Bun the app is not told, so every client reads as `unknown` and shares one count.
 */
export function clientAddressOf(c: Context): string {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming?.socket.remoteAddress ?? 'unknown';
}
