import type { Environment } from '../env.ts';
import { positiveInteger, positiveSeconds } from '../env-values.ts';
import type { SideSettings } from './measure-side.ts';

/** KEY=VALUE pairs separated by spaces, for BENCH_COMPARE_ENV. */
function settingsPairs(raw: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const pair of (raw ?? '').split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`BENCH_COMPARE_ENV must be KEY=VALUE pairs separated by spaces (got "${pair}")`);
    pairs[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return pairs;
}

/** The settings of the suites that measure whole `pnpm start`s (compare, scaling), from the environment. */
export function readSideSettings(env: Environment): SideSettings & { rounds: number } {
  return {
    seconds: positiveInteger('BENCH_SECONDS', env.BENCH_SECONDS, 10),
    warmupSeconds: positiveSeconds('BENCH_WARMUP_SECONDS', env.BENCH_WARMUP_SECONDS, 2),
    connections: positiveInteger('BENCH_CONNECTIONS', env.BENCH_CONNECTIONS, 50),
    rounds: positiveInteger('BENCH_ROUNDS', env.BENCH_ROUNDS, 3),
    env: settingsPairs(env.BENCH_COMPARE_ENV),
  };
}
