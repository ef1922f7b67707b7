import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnvironment, resultsDir } from '../../lib/env.ts';
import { positiveInteger, positiveSeconds } from '../../lib/env-values.ts';
import { describeMachine } from '../../lib/machine.ts';
import { type CompareReport, renderCompare } from './compare-report.ts';
import { type SideRun, type SideSettings, measureSide } from './measure-side.ts';
import { checkoutRef } from './tree-at-ref.ts';
import { wrkAvailable } from './wrk-run.ts';

// `pnpm bench:compare <git-ref>`: the ref's `pnpm start` against the working tree's, alternating.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const USAGE = 'usage: pnpm bench:compare <git-ref>   (e.g. pnpm bench:compare c265a86, or HEAD~1)';

/** KEY=VALUE pairs separated by spaces, for BENCH_COMPARE_ENV. */
function settingsPairs(raw: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const pair of (raw ?? '').split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`BENCH_COMPARE_ENV must be KEY=VALUE pairs separated by spaces (got "${pair}")`);
    pairs[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return pairs;
}

const ref = process.argv[2];
if (!ref || ref.startsWith('-')) {
  console.error(USAGE);
  process.exit(2);
}
if (!(await wrkAvailable())) {
  console.error('bench:compare needs wrk on PATH (Debian: apt-get install wrk)');
  process.exit(3);
}
const env = benchEnvironment();
const settings: SideSettings & { rounds: number } = {
  seconds: positiveInteger('BENCH_SECONDS', env.BENCH_SECONDS, 10),
  warmupSeconds: positiveSeconds('BENCH_WARMUP_SECONDS', env.BENCH_WARMUP_SECONDS, 2),
  connections: positiveInteger('BENCH_CONNECTIONS', env.BENCH_CONNECTIONS, 50),
  rounds: positiveInteger('BENCH_ROUNDS', env.BENCH_ROUNDS, 3),
  env: settingsPairs(env.BENCH_COMPARE_ENV),
};
const started = Date.now();
const repoRoot = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
console.error(`checking out ${ref} and installing its dependencies…`);
const tree = checkoutRef(repoRoot, ref);
process.once('exit', () => tree.remove());
const sides: [string, string] = [`${ref} (${tree.commit})`, 'working tree'];
const roots = { [sides[0]]: tree.root, [sides[1]]: repoRoot };

const runs: SideRun[] = [];
for (let round = 0; round < settings.rounds; round++) {
  // Alternate which side goes first, so drift on a shared machine weighs on both alike.
  const order = round % 2 === 0 ? sides : ([sides[1], sides[0]] as const);
  for (const side of order) {
    const run = await measureSide(side, roots[side] ?? repoRoot, settings);
    console.error(`round ${round + 1}, ${side}: ${Math.round(run.requestsPerSecond)} req/s, gateway ${run.cpuMicrosPerRequest.gateway?.toFixed(1)} µs/req`);
    runs.push(run);
  }
}
tree.remove();

const report: CompareReport = { machine: describeMachine(), settings, sides, runs, totalSeconds: (Date.now() - started) / 1000 };
const markdown = renderCompare(report);
const dir = resultsDir(env);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'compare.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'compare.md'), markdown);
console.log(markdown);
