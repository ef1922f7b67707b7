import type { ModeResult } from './measure-mode.ts';
import type { DurabilityMode } from './modes.ts';

/** One round: every mode once, each with fresh processes. */
export interface RoundResult {
  readonly round: number;
  readonly results: readonly ModeResult[];
}

/** A mode over all rounds. */
export interface ModeSummary {
  readonly mode: DurabilityMode;
  /** Mean over rounds of each round's mean req/s. */
  readonly requestsPerSecond: number;
  /** requestsPerSecond / memory's requestsPerSecond. */
  readonly ratioToMemory: number;
  /** Per round, the ratio to memory in that same round. */
  readonly ratioToMemoryByRound: readonly number[];
  readonly latencyMs: { readonly p50Mean: number; readonly p99Worst: number; readonly maxWorst: number };
  readonly accepted202: number;
  readonly streamGrowth: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly honest: boolean;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const round3 = (value: number) => Math.round(value * 1000) / 1000;

function rpsOf(round: RoundResult, mode: DurabilityMode): number {
  return round.results.find((result) => result.mode === mode)?.measured.requestsPerSecond ?? Number.NaN;
}

export function summarize(rounds: readonly RoundResult[], modes: readonly DurabilityMode[]): ModeSummary[] {
  const memoryRps = mean(rounds.map((round) => rpsOf(round, 'memory')));
  return modes.map((mode) => {
    const runs = rounds.flatMap((round) => round.results.filter((result) => result.mode === mode));
    const requestsPerSecond = mean(runs.map((run) => run.measured.requestsPerSecond));
    return {
      mode,
      requestsPerSecond,
      ratioToMemory: round3(requestsPerSecond / memoryRps),
      ratioToMemoryByRound: rounds.map((round) => round3(rpsOf(round, mode) / rpsOf(round, 'memory'))),
      latencyMs: {
        p50Mean: mean(runs.map((run) => run.measured.latencyMs.p50)),
        p99Worst: Math.max(...runs.map((run) => run.measured.latencyMs.p99)),
        maxWorst: Math.max(...runs.map((run) => run.measured.latencyMs.max)),
      },
      accepted202: sum(runs.map((run) => run.measured.accepted202)),
      streamGrowth: sum(runs.map((run) => run.honesty.streamGrowth)),
      non2xx: sum(runs.map((run) => run.measured.non2xx)),
      errors: sum(runs.map((run) => run.measured.errors)),
      timeouts: sum(runs.map((run) => run.measured.timeouts)),
      honest: runs.every((run) => run.honesty.ok),
    };
  });
}
