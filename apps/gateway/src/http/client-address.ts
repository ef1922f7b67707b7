import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/** What Bun's entry point passes as the app's env: its server, which knows each request's peer. */
interface BunPeerLookup {
  requestIP?(request: Request): { readonly address: string } | null;
}

/**
 * The address of the peer a request came from (the proxy's, behind one): from the socket under
 * Node, from Bun's `server.requestIP()` under Bun (main-bun.ts passes the server as the env);
 * `unknown` when neither tells.
 */
export function clientAddressOf(c: Context): string {
  const env = c.env as (Partial<HttpBindings> & BunPeerLookup) | undefined;
  return env?.incoming?.socket.remoteAddress ?? env?.requestIP?.(c.req.raw)?.address ?? 'unknown';
}
