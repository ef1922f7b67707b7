import type { MachineInfo } from '../../lib/machine.ts';
import type { RuntimeSuiteResult } from './runtime-suite.ts';
import type { DrainResult, MemoryResult } from './scenario-drain.ts';
import type { SuiteSettings } from './suite-settings.ts';

/** Bun as the run found it. */
export type BunStatus = { readonly available: true; readonly version: string } | { readonly available: false; readonly reason: string };

/** Everything one `pnpm bench` run measured; written as latest.json. */
export interface SuiteReport {
  readonly machine: MachineInfo & { readonly loadAverageAtEnd: readonly number[] };
  /** Undefined when BENCH_RUNTIMES left Bun out. */
  readonly bun: BunStatus | undefined;
  readonly settings: SuiteSettings;
  readonly totalSeconds: number;
  readonly scenarios: RuntimeSuiteResult['scenarios'];
  readonly direct: RuntimeSuiteResult['direct'];
  readonly drain: DrainResult;
  readonly memory: MemoryResult;
  /** The old Python service's Redis memory per remembered event, for (e). */
  readonly oldServiceBytesPerEvent: number;
  /** Every honesty check passed (the exit code says so too). */
  readonly honest: boolean;
  /** Sanity checks that failed (flagged, not fatal: e.g. 503s under overload). */
  readonly warnings: number;
}
