import { cpuSecondsOf } from '../cpu/process-cpu.ts';
import { type LaunchedDdup, launchDdup } from './launched-ddup.ts';
import { ROLES, type Role } from './process-tree.ts';
import { type WrkResult, runWrkMix } from './wrk-run.ts';

export interface SideSettings {
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly env: Record<string, string>;
}

/** One measured run of one tree. */
export interface SideRun {
  readonly side: string;
  readonly load: WrkResult;
  readonly requestsPerSecond: number;
  /** CPU time per answered request of each role, in µs (all its processes together). */
  readonly cpuMicrosPerRequest: Partial<Record<Role, number>>;
  /** How many processes each role had. */
  readonly processCounts: Partial<Record<Role, number>>;
}

function cpuByRole(processes: Map<Role, number[]>): Map<Role, number> {
  const seconds = new Map<Role, number>();
  for (const [role, pids] of processes)
    seconds.set(
      role,
      pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0),
    );
  return seconds;
}

async function measure(side: string, ddup: LaunchedDdup, settings: SideSettings): Promise<SideRun> {
  await runWrkMix(ddup.url, settings.warmupSeconds, settings.connections);
  const processes = ddup.processes();
  const before = cpuByRole(processes);
  const load = await runWrkMix(ddup.url, settings.seconds, settings.connections);
  const after = cpuByRole(processes);
  const cpuMicrosPerRequest: Partial<Record<Role, number>> = {};
  const processCounts: Partial<Record<Role, number>> = {};
  for (const role of ROLES) {
    const end = after.get(role);
    const start = before.get(role);
    if (end !== undefined && start !== undefined && load.requests > 0) cpuMicrosPerRequest[role] = ((end - start) * 1e6) / load.requests;
    const count = processes.get(role)?.length;
    if (count !== undefined) processCounts[role] = count;
  }
  return { side, load, requestsPerSecond: load.requests / load.seconds, cpuMicrosPerRequest, processCounts };
}

/** Starts `pnpm start` of the tree at `root`, warms it up, measures one wrk run of the mix, stops it. */
export async function measureSide(side: string, root: string, settings: SideSettings): Promise<SideRun> {
  const ddup = await launchDdup(root, settings.env);
  try {
    return await measure(side, ddup, settings);
  } finally {
    await ddup.stop();
  }
}
