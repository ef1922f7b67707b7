import { startGateway } from './gateway-process.ts';
import { type HonestyCheck, checkHonesty } from './honesty.ts';
import { type LoadSummary, postUniqueEvents } from './load.ts';
import type { DurabilityMode, ModeSetup } from './modes.ts';
import { startTopology } from './redis-topology.ts';
import type { BenchSettings } from './settings.ts';
import { settledStreamLength } from './stream-length.ts';

export interface ModeResult {
  readonly mode: DurabilityMode;
  readonly appendFsync: ModeSetup['appendFsync'];
  readonly replica: boolean;
  readonly warmup: LoadSummary;
  readonly measured: LoadSummary;
  readonly stream: { readonly before: number; readonly after: number };
  readonly honesty: HonestyCheck;
  readonly gatewayExitCode: number | null;
}

/** Fresh Redis (and replica), fresh gateway, warm-up, measured run; everything stopped after. */
export async function measureMode(setup: ModeSetup, settings: BenchSettings, runTag: string): Promise<ModeResult> {
  const redis = await startTopology(setup);
  try {
    const gateway = await startGateway(redis.url, { DURABILITY: setup.mode, ...setup.gatewayEnv });
    let gatewayStopped = false;
    try {
      const tag = `${runTag}-${setup.mode}`;
      const warmup = await postUniqueEvents(gateway.baseUrl, `${tag}-warmup`, settings.warmupSeconds, settings.connections);
      const before = await settledStreamLength(redis.probe);
      const measured = await postUniqueEvents(gateway.baseUrl, `${tag}-measured`, settings.measureSeconds, settings.connections);
      const after = await settledStreamLength(redis.probe);
      const gatewayExitCode = await gateway.stop();
      gatewayStopped = true;
      return {
        mode: setup.mode,
        appendFsync: setup.appendFsync,
        replica: setup.replica,
        warmup,
        measured,
        stream: { before, after },
        honesty: checkHonesty(measured, after - before),
        gatewayExitCode,
      };
    } finally {
      if (!gatewayStopped) await gateway.stop();
    }
  } finally {
    await redis.stop();
  }
}
