import { int, median, ms, ratio, statuses } from '../format.ts';
import type { MachineInfo } from '../machine.ts';
import { leftColumn, markdownTable, rightColumn } from '../markdown-table.ts';
import type { SideRun, SideSettings } from './measure-side.ts';
import { ROLES } from './process-tree.ts';

/** Runs of several `pnpm start`s (sides) measured in alternating rounds. */
export interface SidesReport {
  readonly title: string;
  /** What the sides are and how they were started, one sentence or more. */
  readonly about: string;
  readonly machine: MachineInfo;
  readonly settings: SideSettings & { readonly rounds: number };
  /** Their labels, the first being the one the others are compared with. */
  readonly sides: readonly string[];
  readonly runs: readonly SideRun[];
  readonly totalSeconds: number;
}

const micros = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));

function medianOf(runs: readonly SideRun[], pick: (run: SideRun) => number | undefined): number | undefined {
  const values = runs.flatMap((run) => {
    const value = pick(run);
    return value === undefined ? [] : [value];
  });
  return values.length > 0 ? median(values) : undefined;
}

/** Per side: medians, and each figure ÷ the first side's; then every run. */
export function renderSides(report: SidesReport): string {
  const of = (side: string) => report.runs.filter((run) => run.side === side);
  const first = report.sides[0] ?? '';
  const against = (side: string, pick: (run: SideRun) => number | undefined) => {
    const a = medianOf(of(first), pick);
    const b = medianOf(of(side), pick);
    return a === undefined || b === undefined ? '–' : ratio(b / a);
  };
  const summaryRows = report.sides.map((side) => {
    const runs = of(side);
    const cell = (pick: (run: SideRun) => number | undefined, format: (value: number) => string) => {
      const value = medianOf(runs, pick);
      if (value === undefined) return '–';
      return side === first ? format(value) : `${format(value)} (${against(side, pick)})`;
    };
    return [
      side,
      cell((run) => run.requestsPerSecond, int),
      ...ROLES.map((role) =>
        cell(
          (run) => run.cpuMicrosPerRequest[role],
          (value) => micros(value),
        ),
      ),
      `${ms(medianOf(runs, (run) => run.load.p50Ms) ?? Number.NaN)} / ${ms(medianOf(runs, (run) => run.load.p99Ms) ?? Number.NaN)}`,
    ];
  });
  const runRows = report.runs.map((run, index) => [
    String(index + 1),
    run.side,
    int(run.requestsPerSecond),
    ...ROLES.map((role) => micros(run.cpuMicrosPerRequest[role])),
    ROLES.map((role) => run.processCounts[role] ?? 0).join('/'),
    statuses(run.load.statuses) + (run.load.errors > 0 ? `, ${run.load.errors} socket errors` : ''),
  ]);
  const { settings, machine } = report;
  return [
    `# ${report.title}`,
    '',
    `${machine.date}, Node ${machine.node}, ${machine.nproc} cores, load average ${machine.loadAverage.join(' ')}. ${report.about} ` +
      `${settings.rounds} rounds in alternating order, each side ${settings.seconds} s measured after ${settings.warmupSeconds} s of warm-up, ` +
      `wrk -t1 -c${settings.connections} with the old service's 80/20 mix (bench/src/lib/launched/wrk-mix.lua), each side its own \`pnpm start\` ` +
      `(embedded redis-server, one consumer process). CPU is read from /proc for every process of each role (user + system) ÷ requests answered. ` +
      `${Math.round(report.totalSeconds)} s in all.`,
    '',
    `## Medians (in brackets: ÷ ${first})`,
    '',
    markdownTable(
      [leftColumn('side'), rightColumn('req/s'), ...ROLES.map((role) => rightColumn(`${role} CPU µs/req`)), leftColumn('p50 / p99 ms')],
      summaryRows,
    ),
    '',
    '## Every run',
    '',
    markdownTable(
      [
        rightColumn('run'),
        leftColumn('side'),
        rightColumn('req/s'),
        ...ROLES.map((role) => rightColumn(`${role} µs/req`)),
        leftColumn('processes (gateway/redis/consumer/launcher)'),
        leftColumn('answers'),
      ],
      runRows,
    ),
    '',
  ].join('\n');
}
