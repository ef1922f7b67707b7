import type { Logger } from '@ddup/runtime';
import { type Tenant, type TenantDirectory, reloadOnSighup } from '@ddup/tenants';

/**
 * What an entry point does about tenants at start: says which tenants are in force, or warns that
 * the API is open to anyone who can reach the port; and rereads TENANTS_FILE on SIGHUP (a bad
 * file is logged and the tenants in force stay), handing the new ones to `onReloaded`. Returns a
 * function that stops listening.
 */
export function announceAndReloadTenants(
  tenants: TenantDirectory | undefined,
  logger: Logger,
  onReloaded: (tenants: readonly Tenant[]) => void = () => undefined,
): () => void {
  if (tenants === undefined) {
    logger.warn('no TENANTS_FILE: the event API is unauthenticated, one open dedup space for every client');
    return () => undefined;
  }
  logger.info('tenants in force', { file: tenants.path, tenants: tenants.tenants.map((tenant) => tenant.id) });
  return reloadOnSighup(tenants, logger, onReloaded);
}
