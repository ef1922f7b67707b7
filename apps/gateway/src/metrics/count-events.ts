import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';
import type { BatchAnswer } from '../routes/batch/batch-results.ts';
import { type EventRoute, outcomeOfStatus, statusClassOf } from './event-outcome.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { DedupSpace } from '../admission/dedup-space.ts';

/** The Hono variables the event routes leave for this middleware (the space is set by tenants/authenticate.ts). */
export type EventMetricsEnv = {
  Variables: { batchAnswer?: BatchAnswer; batchItems?: number; space?: DedupSpace; duplicateFirstSeenMs?: number };
};

/** The tenant label of a request that named none the gateway knows (a 401). */
export const UNAUTHENTICATED = 'unauthenticated';

function ageSeconds(firstSeenAt: unknown, nowMs: number): number | undefined {
  if (typeof firstSeenAt !== 'string') return undefined;
  const ms = Date.parse(firstSeenAt);
  return Number.isNaN(ms) ? undefined : (nowMs - ms) / 1000;
}

function countBatch(metrics: GatewayMetrics, answer: BatchAnswer, tenant: string, nowMs: number): void {
  metrics.countEvents('batch', 'accepted', tenant, answer.accepted);
  metrics.countEvents('batch', 'duplicate', tenant, answer.duplicates);
  metrics.countEvents('batch', 'invalid', tenant, answer.invalid);
  for (const result of answer.results) {
    if (result.status !== 'duplicate') continue;
    const age = ageSeconds(result.first_seen_at, nowMs);
    if (age !== undefined) metrics.observeDuplicateAge(age);
  }
}

/**
 * Counts what one event route answered, once, after the answer is made (errors included: Hono's
 * onError has turned them into the response by then): the request time, and each event's outcome
 * (a batch's items from its answer; a batch refused whole after it was read, by 429 or 503, counts
 * each of its items under that outcome, and one refused before, by 401 or 413, as one event) and,
 * for a duplicate, how long after its first acceptance it came.
 */
export function countEvents(metrics: GatewayMetrics, route: EventRoute): MiddlewareHandler<EventMetricsEnv> {
  return async function countEventOutcome(c: Context<EventMetricsEnv>, next) {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const now = Date.now();
    metrics.observeRequest(route, statusClassOf(status), (performance.now() - started) / 1000);
    const tenant = c.get('space')?.label ?? UNAUTHENTICATED;
    const answer = c.get('batchAnswer');
    if (answer !== undefined && status === 200) return countBatch(metrics, answer, tenant, now);
    const outcome = outcomeOfStatus(status);
    if (outcome === undefined) return;
    metrics.countEvents(route, outcome, tenant, c.get('batchItems') ?? 1);
    if (status === 429 && c.error instanceof ApiError) metrics.countRefusal(c.error.code, tenant);
    const firstSeenMs = c.get('duplicateFirstSeenMs');
    if (outcome === 'duplicate' && firstSeenMs !== undefined) metrics.observeDuplicateAge((now - firstSeenMs) / 1000);
  };
}
