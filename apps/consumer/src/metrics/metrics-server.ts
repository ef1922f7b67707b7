import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import type { Logger } from '@ddup/runtime';
import type { Registry } from 'prom-client';

/** CONSUMER_METRICS_HOST and CONSUMER_METRICS_PORT (0 here: any free port, which tests use). */
export interface MetricsServerSettings {
  readonly host: string;
  readonly port: number;
}

export interface MetricsServer {
  /** Where this machine reaches it: `http://host:port/metrics`, with the port actually bound. */
  readonly url: string;
  /** Stops listening; a scrape in progress finishes. Safe to call twice. */
  close(): Promise<void>;
}

/** The URL of `/metrics` on a server listening on `host:port`, as this machine reaches it (a wildcard address on loopback). */
export function metricsUrlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${isIPv6(reachable) ? `[${reachable}]` : reachable}:${port}/metrics`;
}

function sendJson(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** `GET /metrics`: the registry in Prometheus's text format; any other request: 404, JSON like the gateway's. */
async function answer(registry: Registry, logger: Logger, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    sendJson(response, 404, { detail: 'Not Found', code: 'not_found' });
    return;
  }
  try {
    const body = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType });
    response.end(body);
  } catch (error) {
    logger.error('cannot collect metrics', { error });
    sendJson(response, 500, { detail: 'Cannot collect metrics', code: 'internal' });
  }
}

/**
 * Serves `registry` on `GET /metrics` (node:http, no framework: it is one route). Resolves once
 * listening; rejects when it cannot listen (the port is in use, say), which the entry point
 * decides about.
 */
export async function startMetricsServer(registry: Registry, settings: MetricsServerSettings, logger: Logger): Promise<MetricsServer> {
  const server = createServer((request, response) => void answer(registry, logger, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.warn('metrics server error', { error }));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: metricsUrlOf(settings.host, port),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of past scrapes would hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
