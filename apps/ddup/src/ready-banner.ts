import { API_PREFIX } from '@ddup/gateway';

/** What `pnpm start` runs, as the banner and the "ddup is ready" record tell it. */
export interface StartSummary {
  /** The gateway's base URL as this machine reaches it. */
  readonly url: string;
  /** Where it listens (HOST). */
  readonly host: string;
  /** The Redis in use, password masked; embedded or the user's. */
  readonly redis: string;
  readonly embeddedRedis: boolean;
  readonly dataDir: string | undefined;
  readonly runtime: 'node' | 'bun';
  readonly gatewayProcesses: number;
  readonly consumerMetrics: string | undefined;
  readonly tenants: boolean;
  readonly admin: boolean;
}

/** The fields of the "ddup is ready" log record: every URL and what is on. */
export function readyFields(summary: StartSummary): Record<string, unknown> {
  return {
    url: summary.url,
    host: summary.host,
    api: `${summary.url}${API_PREFIX}/events`,
    dashboard: `${summary.url}/dashboard`,
    docs: `${summary.url}/docs`,
    metrics: `${summary.url}/metrics`,
    consumerMetrics: summary.consumerMetrics,
    redis: summary.redis,
    runtime: summary.runtime,
    gatewayProcesses: summary.gatewayProcesses,
    tenants: summary.tenants,
    admin: summary.admin,
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The banner `pnpm start` prints on a terminal once it is ready: where everything is, and what is on. */
export function readyBanner(summary: StartSummary): string {
  const rows: [string, string][] = [
    ['events', `POST ${summary.url}${API_PREFIX}/events  (and /events/batch)`],
    ['dashboard', `${summary.url}/dashboard`],
    ['API docs', `${summary.url}/docs  (OpenAPI: ${summary.url}/openapi.json)`],
    ['metrics', `${summary.url}/metrics${summary.consumerMetrics ? `  ·  consumer: ${summary.consumerMetrics}` : ''}`],
    ['Redis', summary.embeddedRedis ? `embedded redis-server, ${summary.redis}${summary.dataDir ? `, data in ${summary.dataDir}` : ''}` : summary.redis],
    [
      'gateway',
      `${summary.runtime === 'bun' ? 'Bun' : 'Node'}, ${summary.gatewayProcesses} process${summary.gatewayProcesses === 1 ? '' : 'es'}, ` +
        (LOOPBACK.has(summary.host) ? 'reachable from this machine only' : `listening on ${summary.host}`),
    ],
    ['tenants', summary.tenants ? 'on (TENANTS_FILE): API keys required' : 'off: one open space, no API key (set TENANTS_FILE for tenants)'],
    ['admin API', summary.admin ? `on: ${summary.url}/admin (DDUP_ADMIN_TOKEN)` : 'off (set DDUP_ADMIN_TOKEN to turn it on)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return ['', 'ddup is ready', ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`), '  Ctrl-C stops everything.', ''].join('\n');
}
