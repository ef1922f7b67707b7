import type { AppendFsync } from '@ddup/redis-process';

export type DurabilityMode = 'memory' | 'fsync' | 'wait';

/** How the Redis side is set up for each mode, as the embedded launcher would. */
export interface ModeSetup {
  readonly mode: DurabilityMode;
  readonly appendFsync: AppendFsync;
  readonly replica: boolean;
  /** Extra gateway environment beyond DURABILITY. */
  readonly gatewayEnv: Readonly<Record<string, string>>;
}

export const MODE_SETUPS: readonly ModeSetup[] = [
  { mode: 'memory', appendFsync: 'everysec', replica: false, gatewayEnv: {} },
  { mode: 'fsync', appendFsync: 'always', replica: false, gatewayEnv: {} },
  {
    mode: 'wait',
    appendFsync: 'everysec',
    replica: true,
    gatewayEnv: { DURABILITY_WAIT_REPLICAS: '1', DURABILITY_WAIT_TIMEOUT_MS: '1000' },
  },
];
