import { flag, positiveInteger, positiveSeconds } from '../../lib/env-values.ts';
import { type Environment, resultsDir } from '../../lib/env.ts';
import type { RuntimeName } from '../../lib/processes/runtimes.ts';

/** The whole suite's settings (`pnpm bench`), read once from the environment. */
export interface SuiteSettings {
  /**
   * BENCH_SMOKE=1: every scenario, tiny (for CI: checks that it all works, not how fast): 1 s runs,
   * 10 connections, 2,000 events for the script run, (d) and (e).
   */
  readonly smoke: boolean;
  /** Measured seconds of each HTTP run (BENCH_SECONDS, default 10). */
  readonly measureSeconds: number;
  /** Unrecorded load before each measured run, on the same server (BENCH_WARMUP_SECONDS). */
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly batchSize: number;
  /** Admission scripts kept in flight by the direct (no HTTP) admission runs. */
  readonly inFlight: number;
  /** Events admitted straight into Redis for scenario (c)'s comparison (BENCH_DIRECT_EVENTS). */
  readonly directEvents: number;
  /** Events pre-filled for the drain (d) and memory (e) scenarios (BENCH_DRAIN_EVENTS). */
  readonly drainEvents: number;
  /** Runtimes to run the HTTP scenarios on (BENCH_RUNTIMES, default `node,bun`; Bun when present). */
  readonly runtimes: readonly RuntimeName[];
  /** Where latest.json and latest.md go (BENCH_RESULTS_DIR, default bench/results). */
  readonly resultsDir: string;
  /** BENCH_CPU_PROFILE_DIR: V8 CPU profiles of the Node gateways, baselines and consumers go here. */
  readonly cpuProfileDir: string | undefined;
}

function runtimes(raw: string | undefined): RuntimeName[] {
  const names = (raw?.trim() || 'node,bun').split(',').map((name) => name.trim().toLowerCase());
  for (const name of names) if (name !== 'node' && name !== 'bun') throw new Error(`BENCH_RUNTIMES lists node and/or bun (got "${raw}")`);
  return [...new Set(names)] as RuntimeName[];
}

export function readSuiteSettings(env: Environment): SuiteSettings {
  const smoke = flag('BENCH_SMOKE', env.BENCH_SMOKE);
  return {
    smoke,
    measureSeconds: positiveSeconds('BENCH_SECONDS', env.BENCH_SECONDS, smoke ? 1 : 10),
    warmupSeconds: positiveSeconds('BENCH_WARMUP_SECONDS', env.BENCH_WARMUP_SECONDS, smoke ? 0.25 : 2),
    // The smoke keeps fewer batches (of 1,000 events) in flight, so that it waits less for them.
    connections: smoke ? 10 : 50,
    batchSize: 1_000,
    inFlight: 50,
    directEvents: positiveInteger('BENCH_DIRECT_EVENTS', env.BENCH_DIRECT_EVENTS, smoke ? 2_000 : 100_000),
    // (e) reports bytes per remembered event over at least a million events.
    drainEvents: positiveInteger('BENCH_DRAIN_EVENTS', env.BENCH_DRAIN_EVENTS, smoke ? 2_000 : 1_000_000),
    runtimes: runtimes(env.BENCH_RUNTIMES),
    resultsDir: resultsDir(env),
    cpuProfileDir: env.BENCH_CPU_PROFILE_DIR?.trim() || undefined,
  };
}
