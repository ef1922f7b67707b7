import type { Durability } from '@ddup/config';
import type { CanonicalForm } from '@ddup/hashing';
import type { GatewayConfig } from '../../env.ts';

/** The settings in force that the dashboard shows (none of them secret). */
export interface DashboardSettings {
  readonly windowSeconds: number;
  readonly streamShards: number;
  readonly canonicalForm: CanonicalForm;
  readonly indexCapacity: number;
  readonly durability: Durability;
}

export function dashboardSettingsOf(config: GatewayConfig): DashboardSettings {
  return {
    windowSeconds: config.DEDUP_WINDOW_SECONDS,
    streamShards: config.STREAM_SHARDS,
    canonicalForm: config.CANONICAL_FORM,
    indexCapacity: config.INDEX_CAPACITY,
    durability: config.DURABILITY,
  };
}
