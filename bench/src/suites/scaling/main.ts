import { execFileSync } from 'node:child_process';
import { benchEnvironment, resultsDir } from '../../lib/env.ts';
import { measureInRounds, type Side } from '../../lib/launched/alternating-rounds.ts';
import { readSideSettings } from '../../lib/launched/side-settings.ts';
import { type SidesReport, renderSides } from '../../lib/launched/sides-report.ts';
import { wrkAvailable } from '../../lib/launched/wrk-run.ts';
import { describeMachine } from '../../lib/machine.ts';
import { writeResults } from '../../lib/write-results.ts';
import { detectBun } from '../../lib/processes/bun-runtime.ts';

// `pnpm bench:scaling`: the working tree's `pnpm start` with 1..N gateway processes, on Node and on
// Bun, in alternating rounds: what more processes buy on this machine, and Node against Bun.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

if (!(await wrkAvailable())) {
  console.error('bench:scaling needs wrk on PATH (Debian: apt-get install wrk)');
  process.exit(3);
}
const env = benchEnvironment();
const settings = readSideSettings(env);
const machine = describeMachine();
const counts = (env.BENCH_GATEWAY_PROCESSES ?? `1,${Math.max(2, machine.nproc)}`).split(',').map((value) => Number(value.trim()));
if (counts.some((count) => !Number.isInteger(count) || count < 1)) {
  console.error(`BENCH_GATEWAY_PROCESSES must be whole numbers ≥ 1 separated by commas (got "${env.BENCH_GATEWAY_PROCESSES}")`);
  process.exit(2);
}
const bun = await detectBun();
if (!bun.available) console.error(`Bun: not available (${bun.reason}); Node only`);
const started = Date.now();
const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const sides: Side[] = [];
for (const runtime of bun.available ? ['node', 'bun'] : ['node']) {
  for (const count of counts) {
    sides.push({
      label: `${runtime}, ${count} gateway process${count === 1 ? '' : 'es'}`,
      root,
      env: {
        GATEWAY_RUNTIME: runtime,
        GATEWAY_PROCESSES: String(count),
        ...(runtime === 'bun' && bun.available && bun.runtime.name === 'bun' ? { BUN_BIN: bun.runtime.bin } : {}),
      },
    });
  }
}
const runs = await measureInRounds(sides, settings);
const report: SidesReport = {
  title: 'bench:scaling: gateway processes and runtimes',
  about: `The working tree with GATEWAY_PROCESSES=${counts.join(', ')}${bun.available ? `, on Node and on Bun ${bun.runtime.version}` : ' on Node (Bun not available)'}.`,
  machine: describeMachine(),
  settings,
  sides: sides.map((side) => side.label),
  runs,
  totalSeconds: (Date.now() - started) / 1000,
};
writeResults(resultsDir(env), 'scaling', report, renderSides(report));
