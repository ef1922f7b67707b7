import { startGateway } from '../../lib/processes/gateway-process.ts';
import type { DurabilityMode, ModeSetup } from './modes.ts';
import { startTopology } from './redis-topology.ts';
import type { BenchSettings } from '../../lib/settings.ts';
import { EVENTS_STREAM } from '../../lib/redis/stream-length.ts';
import { type UniqueRun, runUniquePosts } from '../../lib/load/unique-run.ts';

export interface ModeResult extends UniqueRun {
  readonly mode: DurabilityMode;
  readonly appendFsync: ModeSetup['appendFsync'];
  readonly replica: boolean;
  readonly gatewayExitCode: number | null;
}

/** Fresh Redis (and replica), fresh gateway, warm-up, measured run; everything stopped after. */
export async function measureMode(setup: ModeSetup, settings: BenchSettings, runTag: string): Promise<ModeResult> {
  const redis = await startTopology(setup);
  try {
    const gateway = await startGateway(redis.url, { DURABILITY: setup.mode, ...setup.gatewayEnv });
    let gatewayStopped = false;
    try {
      const run = await runUniquePosts(gateway.baseUrl, `${runTag}-${setup.mode}`, settings, () => redis.probe.xlen(EVENTS_STREAM));
      const gatewayExitCode = await gateway.stop();
      gatewayStopped = true;
      return {
        mode: setup.mode,
        appendFsync: setup.appendFsync,
        replica: setup.replica,
        ...run,
        gatewayExitCode,
      };
    } finally {
      if (!gatewayStopped) await gateway.stop();
    }
  } finally {
    await redis.stop();
  }
}
