import { type PipelinedAdmission, admitBatchesPipelined, admitPipelined } from '../../lib/load/admit-pipelined.ts';
import { prepareAdmissions } from '../../lib/load/admissions.ts';
import { checkGrowth } from '../../lib/load/honesty.ts';
import { withCpuShares } from '../../lib/cpu/process-cpu.ts';
import type { Check } from '../../lib/load/profile.ts';
import { type RedisProbe, openProbe } from '../../lib/redis/redis-probe.ts';
import { EVENTS_STREAM, settledStreamLength } from '../../lib/redis/stream-length.ts';
import { DEFAULT_INDEX_CAPACITY, Store } from '@ddup/store';

/** Scenario (c)'s yardstick: the admission script driven straight from Node, no HTTP. */
export interface DirectAdmissionResult extends PipelinedAdmission {
  readonly checks: readonly Check[];
  /** CPU used while admitting, by process, in % of one core. */
  readonly cpuPercent: Readonly<Record<string, number>>;
  /** The batch script (admit-batch-var.lua) driven the same way: calls of `batchSize` events. */
  readonly batchScript: PipelinedAdmission & { readonly batchSize: number; readonly cpuPercent: Readonly<Record<string, number>> };
}

/** BATCH_ADMISSION_CONCURRENCY's default: batch script calls the gateway keeps in flight. */
const BATCH_CALLS_IN_FLIGHT = 2;

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
  batchSize: number,
): Promise<DirectAdmissionResult> {
  const admissions = prepareAdmissions(count);
  const batchAdmissions = prepareAdmissions(count);
  // Laid out as the gateway under test lays it out (its defaults), so its consumer confirms these too.
  const store = new Store({ shardCount: 1, indexCapacity: DEFAULT_INDEX_CAPACITY, windowSeconds: WINDOW_SECONDS });
  const before = await settledStreamLength(probe);
  const client = await openProbe(url);
  let result: PipelinedAdmission;
  let cpuPercent: Record<string, number>;
  let batch: PipelinedAdmission;
  let batchCpuPercent: Record<string, number>;
  try {
    ({ result, cpuPercent } = await withCpuShares(pids, () => admitPipelined(client, store, admissions, inFlight)));
    ({ result: batch, cpuPercent: batchCpuPercent } = await withCpuShares(pids, () =>
      admitBatchesPipelined(client, store, batchAdmissions, batchSize, BATCH_CALLS_IN_FLIGHT),
    ));
  } finally {
    client.close();
  }
  const growth = checkGrowth(result.admitted + batch.admitted, (await probe.xlen(EVENTS_STREAM)) - before, 0);
  return {
    ...result,
    cpuPercent,
    batchScript: { ...batch, batchSize, cpuPercent: batchCpuPercent },
    checks: [
      {
        name: 'every (new) event admitted',
        ok: result.admitted === count,
        honesty: true,
        detail: `${result.admitted} admitted, ${result.duplicates} duplicates of ${count}`,
      },
      {
        name: 'every (new) event admitted by the batch script',
        ok: batch.admitted === count,
        honesty: true,
        detail: `${batch.admitted} admitted, ${batch.duplicates} duplicates of ${count}`,
      },
      { name: 'stream growth = admitted', ok: growth.ok, honesty: true, detail: `XLEN grew by ${growth.streamGrowth}` },
    ],
  };
}
