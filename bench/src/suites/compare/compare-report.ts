import { int, median, ms, ratio, statuses } from '../../lib/format.ts';
import type { MachineInfo } from '../../lib/machine.ts';
import { leftColumn, markdownTable, rightColumn } from '../../lib/markdown-table.ts';
import { ROLES } from './process-tree.ts';
import type { SideRun, SideSettings } from './measure-side.ts';

export interface CompareReport {
  readonly machine: MachineInfo;
  readonly settings: SideSettings & { readonly rounds: number };
  /** The two sides' labels: the ref (with its commit) and the working tree. */
  readonly sides: readonly [string, string];
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

/** Medians per side, the working tree ÷ the ref, and every run. */
export function renderCompare(report: CompareReport): string {
  const [ref, work] = report.sides;
  const of = (side: string) => report.runs.filter((run) => run.side === side);
  const summaryRows = [ref, work].map((side) => {
    const runs = of(side);
    return [
      side,
      int(medianOf(runs, (run) => run.requestsPerSecond) ?? Number.NaN),
      ...ROLES.map((role) => micros(medianOf(runs, (run) => run.cpuMicrosPerRequest[role]))),
      `${ms(medianOf(runs, (run) => run.load.p50Ms) ?? Number.NaN)} / ${ms(medianOf(runs, (run) => run.load.p99Ms) ?? Number.NaN)}`,
    ];
  });
  const change = (pick: (run: SideRun) => number | undefined) => {
    const a = medianOf(of(ref), pick);
    const b = medianOf(of(work), pick);
    return a === undefined || b === undefined ? '–' : ratio(b / a);
  };
  summaryRows.push(['working tree ÷ ref', change((run) => run.requestsPerSecond), ...ROLES.map((role) => change((run) => run.cpuMicrosPerRequest[role])), '']);
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
    `# bench:compare: ${ref} against the working tree`,
    '',
    `${machine.date}, Node ${machine.node}, ${machine.nproc} cores, load average ${machine.loadAverage.join(' ')}; ` +
      `${settings.rounds} rounds in alternating order, each side ${settings.seconds} s measured after ${settings.warmupSeconds} s of warm-up, ` +
      `wrk -t1 -c${settings.connections}, the 80/20 mix (bench/src/suites/compare/wrk-mix.lua), each side its own \`pnpm start\` ` +
      `(embedded redis-server)${
        Object.keys(settings.env).length > 0
          ? ` with ${Object.entries(settings.env)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`
          : ''
      }. ` +
      `${Math.round(report.totalSeconds)} s in all.`,
    '',
    '## Medians',
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
        leftColumn('processes (g/r/c/l)'),
        leftColumn('answers'),
      ],
      runRows,
    ),
    '',
  ].join('\n');
}
