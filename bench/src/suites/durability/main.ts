import { mkdirSync, writeFileSync } from 'node:fs';
import { type RoundResult, summarize } from './aggregate.ts';
import { benchEnvironment, resultsDir as resultsDirOf } from '../../lib/env.ts';
import { describeMachine } from '../../lib/machine.ts';
import { type ModeResult, measureMode } from './measure-mode.ts';
import { MODE_SETUPS } from './modes.ts';
import { renderMarkdown } from './report.ts';
import { mirroredRounds } from './schedule.ts';
import { readSettings } from '../../lib/settings.ts';

// Exit through process.exit so the 'exit' handlers kill the gateway and redis-server we started.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const resultsDir = `${resultsDirOf(benchEnvironment())}/`;
const settings = readSettings(benchEnvironment());
const machine = describeMachine();
const started = Date.now();

const rounds: RoundResult[] = [];
for (const [index, setups] of mirroredRounds(MODE_SETUPS, settings.rounds).entries()) {
  const results: ModeResult[] = [];
  for (const setup of setups) {
    console.error(`round ${index + 1}/${settings.rounds}: DURABILITY=${setup.mode} (${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s)…`);
    results.push(await measureMode(setup, settings, `bench-${started}-r${index + 1}`));
  }
  rounds.push({ round: index + 1, results });
}

const summary = summarize(
  rounds,
  MODE_SETUPS.map((setup) => setup.mode),
);
const report = { machine, settings, totalSeconds: (Date.now() - started) / 1000, setups: MODE_SETUPS, summary, rounds };
const markdown = renderMarkdown(report);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(`${resultsDir}durability.json`, `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(`${resultsDir}durability.md`, markdown);
console.log(markdown);
console.error(`wrote ${resultsDir}durability.json and durability.md`);
if (summary.some((mode) => !mode.honest)) process.exitCode = 1;
