import type { GatewayMetrics } from './gateway-metrics.ts';

/**
 * Up to this many tenants, each gets its `ddup_events_total` series at 0 at start-up (and when a
 * reload adds it), so its rates start from the first scrape. Past it, a tenant's series appear
 * with its first event: each tenant costs 10 series, and 5,000 tenants' 50,000 lines (3.5 MB)
 * took ~250 ms of the gateway's one core to render per scrape, in which no event was admitted.
 */
export const EAGER_TENANT_SERIES = 100;

/** Shows every outcome of each of `tenants` at 0, when there are few enough (EAGER_TENANT_SERIES). */
export function initTenantSeries(metrics: Pick<GatewayMetrics, 'initTenant'>, tenants: readonly string[]): void {
  if (tenants.length > EAGER_TENANT_SERIES) return;
  for (const tenant of tenants) metrics.initTenant(tenant);
}
