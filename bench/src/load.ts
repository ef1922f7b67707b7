import autocannon from 'autocannon';
import { uniqueEventBodies } from './event-bodies.ts';

export const EVENTS_PATH = '/api/v1/ddup_service/events';

/** What one autocannon run measured, in plain numbers. */
export interface LoadSummary {
  readonly durationSeconds: number;
  /** Mean of the per-second samples. */
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p99: number; readonly max: number };
  /** Requests written to a socket. */
  readonly sent: number;
  /** Responses counted, by status code. */
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly answered: number;
  readonly accepted202: number;
  readonly non2xx: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
}

function countsOf(stats: autocannon.Result['statusCodeStats']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(stats ?? {})) counts[code] = stat.count ?? 0;
  return counts;
}

/** POSTs a unique event per request for `seconds`, over `connections` keep-alive connections. */
export async function postUniqueEvents(baseUrl: string, tag: string, seconds: number, connections: number): Promise<LoadSummary> {
  const nextBody = uniqueEventBodies(tag);
  const result = await autocannon({
    url: `${baseUrl}${EVENTS_PATH}`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: nextBody() }) }],
  });
  const statusCounts = countsOf(result.statusCodeStats);
  return {
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.average,
    latencyMs: { mean: result.latency.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    sent: result.requests.sent,
    statusCounts,
    answered: Object.values(statusCounts).reduce((sum, count) => sum + count, 0),
    accepted202: statusCounts['202'] ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
