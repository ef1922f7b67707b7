import { checksMark, int, median, ms, ratio, statuses } from '../../lib/format.ts';
import { LADDER_STEPS, type LadderStepName, type LadderStepResult } from './ladder-steps.ts';
import type { MachineInfo } from '../../lib/machine.ts';
import { centerColumn, leftColumn, markdownTable, rightColumn } from '../../lib/markdown-table.ts';
import type { BenchSettings } from '../../lib/settings.ts';

export interface LadderReport {
  readonly machine: MachineInfo;
  readonly settings: BenchSettings;
  readonly totalSeconds: number;
  readonly rounds: readonly (readonly LadderStepResult[])[];
}

/** The processes whose CPU is split out, in table order (`server` is the baseline or the gateway). */
const PROCESSES = ['server', 'redis', 'consumer', 'load generator'] as const;

export function checksOf(result: LadderStepResult) {
  return [...result.run.checks, ...(result.confirmed ? [result.confirmed] : [])];
}

/** CPU time per answered request of each process, in µs: % of a core ÷ 100 × 10⁶ ÷ req/s. */
export function cpuMicrosPerRequest(result: LadderStepResult): Record<string, number> {
  const perSecond = result.run.measured.requestsPerSecond;
  const micros: Record<string, number> = {};
  for (const name of PROCESSES) {
    const percent = result.run.cpuPercent[name];
    if (percent !== undefined && perSecond > 0) micros[name] = ((percent / 100) * 1e6) / perSecond;
  }
  return micros;
}

const total = (micros: Readonly<Record<string, number>>) => Object.values(micros).reduce((sum, value) => sum + value, 0);

function stepResults(report: LadderReport, step: LadderStepName): LadderStepResult[] {
  return report.rounds.flatMap((round) => round.filter((result) => result.step === step));
}

/** Each step's req/s ÷ the baseline's of the same round. */
function ratiosToBaseline(report: LadderReport, step: LadderStepName): number[] {
  return report.rounds.flatMap((round) => {
    const baseline = round.find((result) => result.step === 'baseline');
    const mine = round.find((result) => result.step === step);
    return baseline && mine ? [mine.run.measured.requestsPerSecond / baseline.run.measured.requestsPerSecond] : [];
  });
}

const STEP_COLUMNS = [
  leftColumn('step'),
  rightColumn('req/s (median)'),
  leftColumn('÷ baseline, per round'),
  leftColumn('p50 / p99 ms (median)'),
  leftColumn('CPU µs per request: server · redis · consumer · load generator = total'),
  rightColumn('CPU ceiling on this machine'),
];

const RUN_COLUMNS = [
  leftColumn('round'),
  leftColumn('step'),
  rightColumn('req/s'),
  leftColumn('p50 / p99 / max ms'),
  leftColumn('statuses'),
  leftColumn('CPU % of a core (server, redis, consumer, load generator, others)'),
  centerColumn('checks'),
];

/** Per step, medians over the rounds. */
function stepRows(report: LadderReport): string[][] {
  const rows: string[][] = [];
  for (const { name } of LADDER_STEPS) {
    const results = stepResults(report, name);
    if (results.length === 0) continue;
    const micros = results.map(cpuMicrosPerRequest);
    const cell = (process: string) => {
      const values = micros.flatMap((m) => (m[process] === undefined ? [] : [m[process] ?? 0]));
      return values.length > 0 ? int(median(values)) : '–';
    };
    const totalMicros = median(micros.map(total));
    const p50 = median(results.map((r) => r.run.measured.latencyMs.p50));
    const p99 = median(results.map((r) => r.run.measured.latencyMs.p99));
    rows.push([
      `\`${name}\``,
      int(median(results.map((r) => r.run.measured.requestsPerSecond))),
      ratiosToBaseline(report, name).map(ratio).join(', '),
      `${ms(p50)} / ${ms(p99)}`,
      `${PROCESSES.map(cell).join(' · ')} = **${int(totalMicros)}**`,
      `${int((report.machine.nproc * 1e6) / totalMicros)} req/s`,
    ]);
  }
  return rows;
}

/** One row per step of each round. */
function runRows(report: LadderReport): string[][] {
  return report.rounds.flatMap((round, index) =>
    round.map((result) => {
      const { measured, cpuPercent } = result.run;
      const cpu = [...PROCESSES, 'others'].map((name) => (cpuPercent[name] === undefined ? '–' : `${cpuPercent[name]}`)).join(', ');
      return [
        `${index + 1}`,
        `\`${result.step}\``,
        int(measured.requestsPerSecond),
        `${ms(measured.latencyMs.p50)} / ${ms(measured.latencyMs.p99)} / ${ms(measured.latencyMs.max)}`,
        statuses(measured.statusCounts),
        cpu,
        checksMark(checksOf(result)),
      ];
    }),
  );
}

export function renderLadderMarkdown(report: LadderReport): string {
  const { machine, settings } = report;
  const lines = [
    '# ddup: where single POSTs lose against the baseline',
    '',
    `${machine.date} · Node ${machine.node} · ${machine.nproc} CPUs · load average ${machine.loadAverage.join(' ')} · ` +
      `${settings.rounds} mirrored rounds of ${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s, ` +
      `${settings.connections} connections, unique events (scenario (a)), every process started fresh per step. Total ${int(report.totalSeconds)} s.`,
    '',
    'Steps, from the bare HTTP stack to the whole system:',
    '',
    ...LADDER_STEPS.map((step) => `- \`${step.name}\`: ${step.description}.`),
    '',
    markdownTable(STEP_COLUMNS, stepRows(report)),
    '',
    "CPU µs per request: each process's CPU time (user + system, from /proc) during the measured run ÷ requests answered. " +
      "The ceiling is what this machine's cores could answer if they did nothing else and never waited: cores × 10⁶ ÷ total µs.",
    '',
    markdownTable(RUN_COLUMNS, runRows(report)),
    '',
    'Checks (✓ passed, ✗ an honesty check failed, ⚠ a sanity check failed):',
    '',
  ];
  for (const [index, round] of report.rounds.entries()) {
    for (const result of round) {
      for (const check of checksOf(result)) {
        lines.push(`- ${check.ok ? '✓' : check.honesty ? '✗' : '⚠'} round ${index + 1}, \`${result.step}\`: ${check.name} — ${check.detail}`);
      }
    }
  }
  lines.push('');
  return lines.join('\n');
}
