import { MACHINE, OTHERS } from '../../lib/cpu/process-cpu.ts';
import { leftColumn, markdownTable, rightColumn } from '../../lib/markdown-table.ts';
import { runtimeLabel } from '../../lib/processes/runtimes.ts';
import type { SuiteReport } from './suite-report-types.ts';

const COLUMNS = ['gateway', 'baseline', 'consumer', 'redis', 'load generator', OTHERS, MACHINE] as const;

/** '–' across the row when the run has no CPU figures; an empty cell for a process it did not run. */
function row(label: string, cpu: Readonly<Record<string, number>> | undefined): string[] {
  if (!cpu) return [label, ...COLUMNS.map(() => '–')];
  return [label, ...COLUMNS.map((name) => (cpu[name] === undefined ? '' : `${cpu[name]} %`))];
}

/** CPU each process used during each measured run, in % of one core: which one saturates. */
export function cpuTable(report: SuiteReport): string {
  const rows: string[][] = [];
  for (const scenario of report.scenarios) {
    if (scenario.unavailable) continue;
    const where = `(${scenario.id}) ${runtimeLabel(scenario.runtime)}`;
    rows.push(row(`${where} ddup`, scenario.ddup?.cpuPercent), row(`${where} baseline`, scenario.baseline?.cpuPercent));
  }
  if (report.direct) rows.push(row('(c) admission script', report.direct.cpuPercent));
  rows.push(row("(d) drain (from the consumer's spawn)", report.drain.cpuPercent));
  return markdownTable([leftColumn('measured run'), ...COLUMNS.map(rightColumn)], rows);
}

const PER_EVENT_COLUMNS = ['gateway', 'baseline', 'redis', 'consumer'] as const;

/**
 * CPU time per event answered, in µs, of each process of each HTTP run: what a request (a batch's
 * event) costs each process, the figure to hold a change against (bench:compare measures it for
 * two commits in one run).
 */
export function cpuPerEventTable(report: SuiteReport): string {
  const rows: string[][] = [];
  for (const scenario of report.scenarios) {
    if (scenario.unavailable) continue;
    for (const [label, run] of [
      ['ddup', scenario.ddup],
      ['baseline', scenario.baseline],
    ] as const) {
      if (!run) continue;
      const eventsPerSecond = run.measured.requestsPerSecond * scenario.eventsPerRequest;
      const cell = (name: string) => {
        const percent = run.cpuPercent[name];
        return percent === undefined || eventsPerSecond <= 0 ? '' : (((percent / 100) * 1e6) / eventsPerSecond).toFixed(1);
      };
      rows.push([`(${scenario.id}) ${runtimeLabel(scenario.runtime)} ${label}`, ...PER_EVENT_COLUMNS.map(cell)]);
    }
  }
  return markdownTable([leftColumn('measured run'), ...PER_EVENT_COLUMNS.map((name) => rightColumn(`${name} µs/event`))], rows);
}
