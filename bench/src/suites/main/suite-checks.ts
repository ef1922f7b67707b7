import { checksMark } from '../../lib/format.ts';
import type { Check } from '../../lib/load/profile.ts';
import { runtimeLabel } from '../../lib/processes/runtimes.ts';
import type { SuiteReport } from './suite-report-types.ts';

/** Every check of the run, labelled with where it was made. */
export function labelledChecks(report: SuiteReport): Array<{ readonly where: string; readonly check: Check }> {
  const out: Array<{ where: string; check: Check }> = [];
  for (const scenario of report.scenarios) {
    const where = `(${scenario.id}) ${runtimeLabel(scenario.runtime)}`;
    for (const check of scenario.ddup?.checks ?? []) out.push({ where: `${where} ddup`, check });
    for (const check of scenario.baseline?.checks ?? []) out.push({ where: `${where} baseline`, check });
  }
  for (const check of report.direct?.checks ?? []) out.push({ where: '(c) admission script', check });
  for (const check of report.drain.checks) out.push({ where: '(d) drain', check });
  for (const check of report.memory.checks) out.push({ where: '(e) memory', check });
  return out;
}

export function checksList(report: SuiteReport): string {
  return labelledChecks(report)
    .map(({ where, check }) => `- ${checksMark([check])} ${where}: ${check.name}${check.honesty ? '' : ' (sanity)'} — ${check.detail}`)
    .join('\n');
}
