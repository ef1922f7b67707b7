import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

/** Serves the app with @hono/node-server and resolves once it listens. */
export function listen(app: Hono, port: number, hostname: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, ...(hostname ? { hostname } : {}) }, () => resolve(server as Server)) as Server;
    server.once('error', reject);
  });
}

/**
 * Stops accepting connections and waits for in-flight requests to finish; idle keep-alive
 * connections are closed at once, busy ones are cut after `timeoutMs`.
 */
export async function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
