import { MACHINE, OTHERS } from '../../lib/cpu/process-cpu.ts';
import { runtimeLabel } from '../../lib/processes/runtimes.ts';
import type { SuiteReport } from './suite-report-types.ts';

const COLUMNS = ['gateway', 'baseline', 'consumer', 'redis', 'load generator', OTHERS, MACHINE] as const;

function row(label: string, cpu: Readonly<Record<string, number>> | undefined): string {
  if (!cpu) return `| ${label} | ${COLUMNS.map(() => '–').join(' | ')} |`;
  return `| ${label} | ${COLUMNS.map((name) => (cpu[name] === undefined ? '' : `${cpu[name]} %`)).join(' | ')} |`;
}

/** CPU each process used during each measured run, in % of one core: which one saturates. */
export function cpuTable(report: SuiteReport): string {
  const rows: string[] = [];
  for (const scenario of report.scenarios) {
    if (scenario.unavailable) continue;
    const where = `(${scenario.id}) ${runtimeLabel(scenario.runtime)}`;
    rows.push(row(`${where} ddup`, scenario.ddup?.cpuPercent), row(`${where} baseline`, scenario.baseline?.cpuPercent));
  }
  if (report.direct) rows.push(row('(c) admission script', report.direct.cpuPercent));
  rows.push(row("(d) drain (from the consumer's spawn)", report.drain.cpuPercent));
  return [`| measured run | ${COLUMNS.join(' | ')} |`, `| --- | ${COLUMNS.map(() => '---:').join(' | ')} |`, ...rows].join('\n');
}
