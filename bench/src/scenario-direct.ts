import { type PipelinedAdmission, admitPipelined } from './admit-pipelined.ts';
import { prepareAdmissions } from './admissions.ts';
import { checkGrowth } from './honesty.ts';
import { withCpuShares } from './process-cpu.ts';
import type { Check } from './profile.ts';
import { type RedisProbe, openProbe } from './redis-probe.ts';
import { EVENTS_STREAM, settledStreamLength } from './stream-length.ts';

/** Scenario (c)'s yardstick: the admission script driven straight from Node, no HTTP. */
export interface DirectAdmissionResult extends PipelinedAdmission {
  readonly checks: readonly Check[];
  /** CPU used while admitting, by process, in % of one core. */
  readonly cpuPercent: Readonly<Record<string, number>>;
}

export const WINDOW_SECONDS = 604_800;

/**
 * What Redis itself can admit: `count` new events through the admission script (EVALSHA) on one
 * connection with `inFlight` calls outstanding, against the redis-server at `url` (the gateway's).
 * The events are hashed before the clock starts.
 */
export async function measureDirectAdmission(
  url: string,
  probe: RedisProbe,
  count: number,
  inFlight: number,
  pids: Readonly<Record<string, number>>,
): Promise<DirectAdmissionResult> {
  const admissions = prepareAdmissions(count, WINDOW_SECONDS);
  const before = await settledStreamLength(probe);
  const client = await openProbe(url);
  let result: PipelinedAdmission;
  let cpuPercent: Record<string, number>;
  try {
    ({ result, cpuPercent } = await withCpuShares(pids, () => admitPipelined(client, admissions, inFlight)));
  } finally {
    client.close();
  }
  const growth = checkGrowth(result.admitted, (await probe.xlen(EVENTS_STREAM)) - before, 0);
  return {
    ...result,
    cpuPercent,
    checks: [
      { name: 'every (new) event admitted', ok: result.admitted === count, honesty: true, detail: `${result.admitted} admitted, ${result.duplicates} duplicates of ${count}` },
      { name: 'stream growth = admitted', ok: growth.ok, honesty: true, detail: `XLEN grew by ${growth.streamGrowth}` },
    ],
  };
}
