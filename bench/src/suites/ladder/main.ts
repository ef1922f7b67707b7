import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnvironment, resultsDir as resultsDirOf } from '../../lib/env.ts';
import { LADDER_STEPS, type LadderStepResult, measureLadderStep } from './ladder-steps.ts';
import { checksOf, renderLadderMarkdown } from './ladder-report.ts';
import { describeMachine } from '../../lib/machine.ts';
import { readSettings } from '../../lib/settings.ts';

// `pnpm bench:ladder`: scenario (a) on Node from the bare baseline to the whole system, a piece
// at a time, in mirrored rounds, with each process's CPU per request. Exit through
// process.exit so the 'exit' handlers kill whatever was started.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const env = benchEnvironment();
const settings = readSettings(env);
const profileRoot = env.BENCH_CPU_PROFILE_DIR?.trim() || undefined;
const machine = describeMachine();
const started = Date.now();
const order = LADDER_STEPS.map((step) => step.name);

const rounds: LadderStepResult[][] = [];
for (let round = 0; round < settings.rounds; round++) {
  const results: LadderStepResult[] = [];
  for (const step of round % 2 === 0 ? order : [...order].reverse()) {
    console.error(`round ${round + 1}/${settings.rounds}: ${step} (${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s)…`);
    results.push(await measureLadderStep(step, settings, profileRoot && join(profileRoot, `r${round + 1}-${step}`)));
  }
  rounds.push(results);
}

const report = { machine, settings, totalSeconds: (Date.now() - started) / 1000, rounds };
const markdown = renderLadderMarkdown(report);
const dir = resultsDirOf(env);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'ladder.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'ladder.md'), markdown);
console.log(markdown);
console.error(`wrote ${join(dir, 'ladder.json')} and ladder.md`);
if (rounds.flat().some((result) => checksOf(result).some((check) => !check.ok && check.honesty))) {
  console.error('an honesty check FAILED');
  process.exitCode = 1;
}
