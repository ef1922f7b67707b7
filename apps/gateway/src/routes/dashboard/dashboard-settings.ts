import type { Durability } from '@ddup/config';
import type { CanonicalForm } from '@ddup/hashing';
import type { GatewayConfig } from '../../env.ts';

/** One tenant of TENANTS_FILE as the dashboard lists it (no API key digest). */
export interface DashboardTenant {
  readonly id: string;
  readonly windowSeconds: number;
  readonly canonicalForm: CanonicalForm;
  readonly keyFields: readonly string[] | undefined;
  readonly rateLimitPerSecond: number | undefined;
  readonly refreshOnDuplicate: boolean;
}

/** The settings in force that the dashboard shows (none of them secret). */
export interface DashboardSettings {
  readonly windowSeconds: number;
  readonly streamShards: number;
  readonly canonicalForm: CanonicalForm;
  readonly indexCapacity: number;
  readonly durability: Durability;
  /** The tenants in force now (TENANTS_FILE, reread on SIGHUP); none without it. Sent with the figures, behind METRICS_TOKEN when set. */
  readonly tenants: () => readonly DashboardTenant[];
}

export function dashboardSettingsOf(config: GatewayConfig): DashboardSettings {
  return {
    windowSeconds: config.DEDUP_WINDOW_SECONDS,
    streamShards: config.STREAM_SHARDS,
    canonicalForm: config.CANONICAL_FORM,
    indexCapacity: config.INDEX_CAPACITY,
    durability: config.DURABILITY,
    tenants: () =>
      (config.tenants?.tenants ?? []).map((tenant) => ({
        id: tenant.id,
        windowSeconds: tenant.windowSeconds ?? config.DEDUP_WINDOW_SECONDS,
        canonicalForm: tenant.canonicalForm ?? config.CANONICAL_FORM,
        keyFields: tenant.keyFields,
        rateLimitPerSecond: tenant.rateLimit?.perSecond,
        refreshOnDuplicate: tenant.refreshOnDuplicate,
      })),
  };
}
