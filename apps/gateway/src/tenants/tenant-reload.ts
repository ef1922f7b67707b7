import type { Logger } from '@ddup/runtime';
import { type TenantDirectory, reloadOnSighup } from '@ddup/tenants';
import type { GatewayMetrics } from '../metrics/gateway-metrics.ts';
import { initTenantSeries } from '../metrics/tenant-series.ts';

/**
 * What an entry point does about tenants at start: says which tenants are in force, or warns that
 * the API is open to anyone who can reach the port (a SIGHUP is then logged and ignored); and rereads TENANTS_FILE on SIGHUP (a bad
 * file is logged and the tenants in force stay), giving a tenant the reload added its metric series
 * at 0 at once, as the others got theirs at start. Returns a function that stops listening.
 */
export function announceAndReloadTenants(tenants: TenantDirectory | undefined, logger: Logger, metrics: GatewayMetrics): () => void {
  if (tenants === undefined) {
    logger.warn('no TENANTS_FILE: the event API is unauthenticated, one open dedup space for every client');
    return reloadOnSighup(undefined, logger);
  }
  logger.info('tenants in force', { file: tenants.path, tenants: tenants.tenants.map((tenant) => tenant.id) });
  return reloadOnSighup(tenants, logger, (reloaded) => {
    initTenantSeries(
      metrics,
      reloaded.map((tenant) => tenant.id),
    );
  });
}
