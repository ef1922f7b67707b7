import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EVENT_OUTCOMES, type EventOutcome, type EventRoute } from './event-outcome.ts';
import { type LatencyCounts, RecentLatency, quantilesOf } from './recent-latency.ts';

/** Seconds from an event's first acceptance to a duplicate of it: client retries (seconds) to replays (days). */
const DUPLICATE_AGE_BUCKETS = [1, 5, 30, 60, 300, 900, 3600, 6 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400];

/** Request time of the event routes, from well under a millisecond (one event) to seconds (a big batch). */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the dashboard shows of this gateway's own counts, live. */
export interface LiveFigures {
  /** Events since start, by outcome, both routes together. */
  readonly events: Readonly<Record<EventOutcome, number>>;
  /** Request-time quantiles of the event routes over the last minute (seconds); null before any request. */
  readonly latency: { readonly p50: number; readonly p99: number } | null;
  /** Events refused without a look (413, 429: rate limit or quota) since start, by tenant. */
  readonly rejectedByTenant: Readonly<Record<string, number>>;
}

/** One process's share of the live figures, for adding up across gateway processes (metrics-view.ts). */
export interface LiveCounts {
  readonly events: Readonly<Record<EventOutcome, number>>;
  readonly latency: LatencyCounts;
  readonly rejectedByTenant: Readonly<Record<string, number>>;
}

/** The live figures of one or more processes' counts together. */
export function liveFiguresOf(shares: readonly LiveCounts[]): LiveFigures {
  const events = Object.fromEntries(EVENT_OUTCOMES.map((outcome) => [outcome, 0])) as Record<EventOutcome, number>;
  const rejectedByTenant: Record<string, number> = {};
  for (const share of shares) {
    for (const outcome of EVENT_OUTCOMES) events[outcome] += share.events[outcome] ?? 0;
    for (const [tenant, count] of Object.entries(share.rejectedByTenant)) rejectedByTenant[tenant] = (rejectedByTenant[tenant] ?? 0) + count;
  }
  const [p50, p99] =
    quantilesOf(
      shares.map((share) => share.latency),
      [0.5, 0.99],
    ) ?? [];
  return { events, latency: p50 !== undefined && p99 !== undefined ? { p50, p99 } : null, rejectedByTenant };
}

/** The metric child kept under `key`, looked up (`make`) the first time only. */
function childOf<C>(children: Map<string, C>, key: string, make: () => C): C {
  let child = children.get(key);
  if (child === undefined) {
    child = make();
    children.set(key, child);
  }
  return child;
}

/**
 * The gateway's Prometheus metrics (prom-client), on a registry of its own so that several
 * gateways in one process (tests) do not share counts. Scrape-time Redis gauges are registered on
 * the same registry by store-gauges.ts.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #events: Counter<'outcome' | 'route' | 'tenant'>;
  readonly #refusals: Counter<'reason' | 'tenant'>;
  readonly #redisResets: Counter;
  readonly #duration: Histogram<'route' | 'status'>;
  readonly #duplicateAge: Histogram;
  // For the dashboard's p50/p99 of the last minute: a sliding window, which a histogram is not.
  // /metrics has the histogram, from which Prometheus computes its own quantiles.
  readonly #recentLatency = new RecentLatency();
  // prom-client hashes a label set on every inc/observe; the children of the few label sets the
  // event routes use are looked up once and kept (by a key of the label values).
  readonly #eventCounters = new Map<string, Counter.Internal>();
  readonly #durationObservers = new Map<string, Histogram.Internal<'route' | 'status'>>();

  constructor() {
    const registers = [this.registry];
    this.#events = new Counter({
      name: 'ddup_events_total',
      help: 'Events posted, by outcome (accepted, duplicate, invalid, unavailable, rejected), route (single, batch) and tenant (default without TENANTS_FILE; unauthenticated for a 401); a batch counts each item',
      labelNames: ['outcome', 'route', 'tenant'],
      registers,
    });
    this.#refusals = new Counter({
      name: 'ddup_refusals_total',
      help: "Requests refused (429) at a tenant's bound, by reason (rate_limited; quota_exceeded: max_idempotency_keys) and tenant",
      labelNames: ['reason', 'tenant'],
      registers,
    });
    this.#redisResets = new Counter({
      name: 'ddup_redis_resets_total',
      help: 'Times this gateway found Redis reset: the layout records (ddup:meta:*) it had seen were gone (restarted empty, replaced, flushed)',
      registers,
    });
    this.#duration = new Histogram({
      name: 'ddup_request_duration_seconds',
      help: 'Time to answer a request to an event route, by route and status class',
      labelNames: ['route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#duplicateAge = new Histogram({
      name: 'ddup_duplicate_age_seconds',
      help: "Time from an event's first acceptance to the arrival of a duplicate of it",
      buckets: DUPLICATE_AGE_BUCKETS,
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Shows every outcome of `tenant` at 0 before its first event, so that rates start from the first scrape. */
  initTenant(tenant: string): void {
    for (const outcome of EVENT_OUTCOMES) for (const route of ['single', 'batch']) this.#events.inc({ outcome, route, tenant }, 0);
  }

  countEvents(route: EventRoute, outcome: EventOutcome, tenant: string, count = 1): void {
    if (count <= 0) return;
    childOf(this.#eventCounters, `${route}\n${outcome}\n${tenant}`, () => this.#events.labels({ outcome, route, tenant })).inc(count);
  }

  /** A request refused at a tenant's bound (a 429 with this `reason` code). */
  countRefusal(reason: string, tenant: string): void {
    this.#refusals.inc({ reason, tenant });
  }

  /** Redis came back without ddup's data (see RedisPreflight). */
  countRedisReset(): void {
    this.#redisResets.inc();
  }

  observeRequest(route: EventRoute, statusClass: string, seconds: number): void {
    childOf(this.#durationObservers, `${route}\n${statusClass}`, () => this.#duration.labels({ route, status: statusClass })).observe(seconds);
    this.#recentLatency.observe(seconds);
  }

  /** A duplicate arrived `seconds` after the original was first accepted. */
  observeDuplicateAge(seconds: number): void {
    this.#duplicateAge.observe(Math.max(0, seconds));
  }

  /** This process's event counts and recent request times. */
  async liveCounts(): Promise<LiveCounts> {
    const events = Object.fromEntries(EVENT_OUTCOMES.map((outcome) => [outcome, 0])) as Record<EventOutcome, number>;
    const rejectedByTenant: Record<string, number> = {};
    for (const { labels, value } of (await this.#events.get()).values) {
      const outcome = labels.outcome as EventOutcome | undefined;
      if (outcome !== undefined && outcome in events) events[outcome] += value;
      const tenant = labels.tenant === undefined ? undefined : String(labels.tenant);
      if (outcome === 'rejected' && tenant !== undefined) rejectedByTenant[tenant] = (rejectedByTenant[tenant] ?? 0) + value;
    }
    return { events, latency: this.#recentLatency.counts(), rejectedByTenant };
  }

  /** This process's own live figures (metrics-view.ts adds up every gateway process's). */
  async liveFigures(): Promise<LiveFigures> {
    return liveFiguresOf([await this.liveCounts()]);
  }
}
