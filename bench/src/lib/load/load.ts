import autocannon from 'autocannon';
import { uniqueEventBodies } from './event-bodies.ts';

export const EVENTS_PATH = '/api/v1/ddup_service/events';
export const BATCH_PATH = `${EVENTS_PATH}/batch`;

/** One request of a load: its body, and a kind to count its answer under. */
export interface LoadRequest {
  readonly body: string;
  readonly kind: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  /** Called once per request sent (and once per connection at start-up, for a request never sent). */
  readonly next: () => LoadRequest;
  /** Sees every answer, with the kind of the request it answers. */
  readonly onAnswer?: (kind: string, status: number, body: string) => void;
}

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
  /** Responses counted by the kind of request they answer, then by status code. */
  readonly statusByKind: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The first body (cut at 300 characters) of each error status other than 409: why it failed. */
  readonly errorSamples: Readonly<Record<string, string>>;
  readonly answered: number;
  readonly accepted202: number;
  readonly non2xx: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
}

/** autocannon's per-connection context: it carries the kind from setupRequest to onResponse. */
interface KindContext {
  kind?: string;
}

function countsOf(stats: autocannon.Result['statusCodeStats']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(stats ?? {})) counts[code] = stat.count ?? 0;
  return counts;
}

/**
 * Runs autocannon (pipelining 1, keep-alive) for `seconds`: each request takes its body from
 * `next()`. With pipelining 1 a connection's context belongs to its one request in flight, so each
 * answer is counted under the kind of the request it answers.
 */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const statusByKind: Record<string, Record<string, number>> = {};
  const errorSamples: Record<string, string> = {};
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          const next = options.next();
          (context as KindContext).kind = next.kind;
          return { ...request, body: next.body };
        },
        onResponse: (status, body, context) => {
          const kind = (context as KindContext).kind ?? 'unknown';
          statusByKind[kind] ??= {};
          const counts = statusByKind[kind];
          counts[status] = (counts[status] ?? 0) + 1;
          if (status >= 400 && status !== 409) errorSamples[status] ??= body.slice(0, 300);
          options.onAnswer?.(kind, status, body);
        },
      },
    ],
  });
  const statusCounts = countsOf(result.statusCodeStats);
  return {
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.average,
    latencyMs: { mean: result.latency.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    sent: result.requests.sent,
    statusCounts,
    statusByKind,
    errorSamples,
    answered: Object.values(statusCounts).reduce((sum, count) => sum + count, 0),
    accepted202: statusCounts['202'] ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** POSTs a unique event per request for `seconds`, over `connections` keep-alive connections. */
export function postUniqueEvents(baseUrl: string, tag: string, seconds: number, connections: number): Promise<LoadSummary> {
  const nextBody = uniqueEventBodies(tag);
  return runLoad({ url: `${baseUrl}${EVENTS_PATH}`, seconds, connections, next: () => ({ body: nextBody(), kind: 'unique' }) });
}
