import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectBun } from '../../lib/processes/bun-runtime.ts';
import { benchEnvironment } from '../../lib/env.ts';
import { describeMachine } from '../../lib/machine.ts';
import { type RuntimeSuiteResult, runRuntimeSuite } from './runtime-suite.ts';
import { NODE_RUNTIME, type Runtime } from '../../lib/processes/runtimes.ts';
import { runDrainAndMemory } from './scenario-drain.ts';
import { labelledChecks } from './suite-checks.ts';
import { renderSuiteMarkdown } from './suite-report.ts';
import type { BunStatus, SuiteReport } from './suite-report-types.ts';
import { readSuiteSettings } from './suite-settings.ts';

// `pnpm bench`: every scenario of issue 4 on processes it starts and stops itself.
// Exit through process.exit so the 'exit' handlers kill whatever was started.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const OLD_SERVICE_BYTES_PER_EVENT = 160;

const settings = readSuiteSettings(benchEnvironment());
const machine = describeMachine();
const started = Date.now();

const runtimes: Runtime[] = settings.runtimes.includes('node') ? [NODE_RUNTIME] : [];
let bun: BunStatus | undefined;
if (settings.runtimes.includes('bun')) {
  const detected = await detectBun();
  bun = detected.available ? { available: true, version: detected.runtime.version } : { available: false, reason: detected.reason };
  if (detected.available) runtimes.push(detected.runtime);
  else console.error(`Bun: not available (${detected.reason}); going on without it`);
}

const suites: RuntimeSuiteResult[] = [];
for (const [index, runtime] of runtimes.entries()) suites.push(await runRuntimeSuite(runtime, settings, index === 0));
const { drain, memory } = await runDrainAndMemory(settings);

const partial: Omit<SuiteReport, 'honest' | 'warnings'> = {
  machine: { ...machine, loadAverageAtEnd: describeMachine().loadAverage },
  bun,
  settings,
  totalSeconds: (Date.now() - started) / 1000,
  scenarios: suites.flatMap((suite) => suite.scenarios),
  direct: suites.find((suite) => suite.direct)?.direct,
  drain,
  memory,
  oldServiceBytesPerEvent: OLD_SERVICE_BYTES_PER_EVENT,
};
const checks = labelledChecks({ ...partial, honest: true, warnings: 0 }).map(({ check }) => check);
const report: SuiteReport = {
  ...partial,
  honest: checks.every((check) => check.ok || !check.honesty),
  warnings: checks.filter((check) => !check.ok && !check.honesty).length,
};
const markdown = renderSuiteMarkdown(report);
mkdirSync(settings.resultsDir, { recursive: true });
writeFileSync(join(settings.resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(settings.resultsDir, 'latest.md'), markdown);
console.log(markdown);
console.error(`wrote ${join(settings.resultsDir, 'latest.json')} and latest.md`);
if (report.warnings > 0) console.error(`${report.warnings} sanity check(s) failed (⚠ under "Checks"): figures to read with care`);
if (!report.honest) {
  console.error('an honesty check FAILED (✗ under "Checks")');
  process.exitCode = 1;
}
