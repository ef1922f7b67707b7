import { checkGrowth, unansweredAtStop } from './honesty.ts';
import { type LoadSummary, runLoad } from './load.ts';
import { withCpuShares } from '../cpu/process-cpu.ts';
import type { Check, LoadProfile, Target } from './profile.ts';
import type { RedisProbe } from '../redis/redis-probe.ts';
import { settledStreamLength } from '../redis/stream-length.ts';

/** One profile against one server: warm-up, then the measured run and its checks. */
export interface TargetRun {
  readonly target: Target;
  readonly warmup: LoadSummary;
  readonly measured: LoadSummary;
  /** Events the answers say were stored (gateway) or accepted (baseline). */
  readonly stored: number;
  /** stored / measured seconds. */
  readonly eventsPerSecond: number;
  /** XLEN of the events stream around the measured run (the gateway only). */
  readonly stream?: { readonly before: number; readonly after: number };
  readonly checks: readonly Check[];
  /** CPU used during the measured run by each process, in % of one core. */
  readonly cpuPercent: Readonly<Record<string, number>>;
}

export interface MeasureOptions {
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly connections: number;
}

/** The processes whose CPU use is measured, by name (the load generator is always included). */
export type WatchedPids = Readonly<Record<string, number>>;

function load(baseUrl: string, profile: LoadProfile, seconds: number, connections: number) {
  const run = profile.start();
  return runLoad({ url: `${baseUrl}${profile.path}`, seconds, connections, next: run.next, onAnswer: run.onAnswer }).then((summary) => ({ run, summary }));
}

/**
 * Warms the server up with the profile, then measures it. With a probe (the gateway), also checks
 * that the events stream grew by what the answers said was stored, allowing for the requests
 * autocannon abandoned in flight when its time ran out (the gateway still stores those).
 */
export async function measureTarget(
  target: Target,
  baseUrl: string,
  profile: LoadProfile,
  options: MeasureOptions,
  pids: WatchedPids,
  probe?: RedisProbe,
): Promise<TargetRun> {
  const warmup = await load(baseUrl, profile, options.warmupSeconds, options.connections);
  const before = probe ? await settledStreamLength(probe) : 0;
  const { result, cpuPercent } = await withCpuShares(pids, () => load(baseUrl, profile, options.measureSeconds, options.connections));
  const { run, summary: measured } = result;
  const stored = run.stored(measured);
  const checks = [...run.checks(measured, target)];
  let stream: TargetRun['stream'];
  if (probe) {
    const after = await settledStreamLength(probe);
    stream = { before, after };
    const unanswered = unansweredAtStop(measured);
    const answered503 = measured.statusCounts['503'] ?? 0;
    const growth = checkGrowth(stored, after - before, (unanswered + answered503) * profile.eventsPerRequest);
    const perRequest = profile.eventsPerRequest > 1 ? ` × ${profile.eventsPerRequest} events` : '';
    checks.unshift({
      name: 'stream growth = events answered as stored',
      ok: growth.ok,
      honesty: true,
      detail:
        `XLEN grew by ${growth.streamGrowth} = ${growth.stored} stored + ${growth.storedUnanswered} (allowed ≤ ${growth.allowed}: ` +
        `(${unanswered} requests in flight when autocannon stopped + ${answered503} answered 503, which may have been stored)${perRequest})`,
    });
  }
  return {
    target,
    warmup: warmup.summary,
    measured,
    stored,
    eventsPerSecond: stored / measured.durationSeconds,
    ...(stream ? { stream } : {}),
    checks,
    cpuPercent,
  };
}
