import type { Tenant } from '@ddup/tenants';

/**
 * What confirmation needs to know of TENANTS_FILE: each tenant's window (an entry older than it is
 * only acknowledged) and which tenants' duplicates refresh the window (their records move on in
 * time, so the newest is marked whatever its second). Nothing else of the file reaches the consumer.
 */
export interface TenantRules {
  readonly windowsMs: ReadonlyMap<string, number>;
  readonly refreshing: ReadonlySet<string>;
}

export const NO_TENANTS: TenantRules = { windowsMs: new Map(), refreshing: new Set() };

export function tenantRulesOf(tenants: readonly Tenant[], defaultWindowSeconds: number): TenantRules {
  return {
    windowsMs: new Map(tenants.map((tenant) => [tenant.id, (tenant.windowSeconds ?? defaultWindowSeconds) * 1000])),
    refreshing: new Set(tenants.filter((tenant) => tenant.refreshOnDuplicate).map((tenant) => tenant.id)),
  };
}
