import { positiveInteger } from './env-values.ts';

/** How long and how hard each mode is loaded; read once from the environment. */
export interface BenchSettings {
  /** Length of the measured run per mode (BENCH_SECONDS, default 8). */
  readonly measureSeconds: number;
  /** Load before the measured run, not recorded. */
  readonly warmupSeconds: number;
  readonly connections: number;
  /**
   * Rounds over the modes (BENCH_ROUNDS, default 2), every other one in reverse order, so drift of
   * a shared machine during the run weighs on every mode alike.
   */
  readonly rounds: number;
}

export function readSettings(env: Readonly<Record<string, string | undefined>>): BenchSettings {
  return {
    measureSeconds: positiveInteger('BENCH_SECONDS', env.BENCH_SECONDS, 8),
    warmupSeconds: 2,
    connections: 50,
    rounds: positiveInteger('BENCH_ROUNDS', env.BENCH_ROUNDS, 2),
  };
}
