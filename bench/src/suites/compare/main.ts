import { execFileSync } from 'node:child_process';
import { benchEnvironment, resultsDir } from '../../lib/env.ts';
import { measureInRounds } from '../../lib/launched/alternating-rounds.ts';
import { readSideSettings } from '../../lib/launched/side-settings.ts';
import { type SidesReport, renderSides } from '../../lib/launched/sides-report.ts';
import { wrkAvailable } from '../../lib/launched/wrk-run.ts';
import { describeMachine } from '../../lib/machine.ts';
import { writeResults } from '../../lib/write-results.ts';
import { checkoutRef } from './tree-at-ref.ts';

// `pnpm bench:compare <git-ref>`: the ref's `pnpm start` against the working tree's, alternating.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const ref = process.argv[2];
if (!ref || ref.startsWith('-')) {
  console.error('usage: pnpm bench:compare <git-ref>   (e.g. pnpm bench:compare c265a86, or HEAD~1)');
  process.exit(2);
}
if (!(await wrkAvailable())) {
  console.error('bench:compare needs wrk on PATH (Debian: apt-get install wrk)');
  process.exit(3);
}
const env = benchEnvironment();
const settings = readSideSettings(env);
const started = Date.now();
const repoRoot = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
console.error(`checking out ${ref} and installing its dependencies…`);
const tree = checkoutRef(repoRoot, ref);
process.once('exit', () => tree.remove());
const sides = [
  { label: `${ref} (${tree.commit})`, root: tree.root },
  { label: 'working tree', root: repoRoot },
];
const runs = await measureInRounds(sides, settings);
tree.remove();

const extra = Object.entries(settings.env).map(([key, value]) => `${key}=${value}`);
const report: SidesReport = {
  title: `bench:compare: ${ref} against the working tree`,
  about: `The ref's commit, checked out in a temporary worktree with its own dependencies, against the working tree${extra.length > 0 ? `, both with ${extra.join(' ')}` : ''}.`,
  machine: describeMachine(),
  settings,
  sides: sides.map((side) => side.label),
  runs,
  totalSeconds: (Date.now() - started) / 1000,
};
writeResults(resultsDir(env), 'compare', report, renderSides(report));
