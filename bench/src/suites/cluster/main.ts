import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TopologyResult, measureTopology } from './cluster-measure.ts';
import { renderClusterMarkdown } from './cluster-report.ts';
import type { TopologyName } from './cluster-topology.ts';
import { benchEnvironment, resultsDir as resultsDirOf } from '../../lib/env.ts';
import { describeMachine } from '../../lib/machine.ts';
import { readSettings } from '../../lib/settings.ts';

// `pnpm bench:cluster`: single POSTs of unique events through the gateway on one redis-server and
// on a local 3-master cluster, in mirrored rounds. Exit through process.exit so the 'exit'
// handlers kill whatever was started.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const settings = readSettings(benchEnvironment());
const machine = describeMachine();
const started = Date.now();
const order: TopologyName[] = ['single', 'cluster'];

const rounds: TopologyResult[][] = [];
for (let round = 0; round < settings.rounds; round++) {
  const results: TopologyResult[] = [];
  for (const name of round % 2 === 0 ? order : [...order].reverse()) {
    console.error(`round ${round + 1}/${settings.rounds}: ${name} (${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s)…`);
    results.push(await measureTopology(name, settings, `cluster-bench-${started}-r${round + 1}`));
  }
  rounds.push(results);
}

const report = { machine, settings, totalSeconds: (Date.now() - started) / 1000, rounds };
const markdown = renderClusterMarkdown(report);
const dir = resultsDirOf(benchEnvironment());
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'cluster.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(dir, 'cluster.md'), markdown);
console.log(markdown);
console.error(`wrote ${join(dir, 'cluster.json')} and cluster.md`);
if (rounds.flat().some((result) => !result.honesty.ok)) {
  console.error('an honesty check FAILED');
  process.exitCode = 1;
}
