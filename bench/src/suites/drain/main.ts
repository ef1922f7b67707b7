import { positiveInteger } from '../../lib/env-values.ts';
import { benchEnvironment } from '../../lib/env.ts';
import { runDrainAndMemory } from '../main/scenario-drain.ts';
import { readSuiteSettings } from '../main/suite-settings.ts';

// `pnpm bench:drain`: only scenario (d), BENCH_ROUNDS times (default 3), each on a fresh
// redis-server with one consumer process; prints each rate and the median. For measuring a change
// to the consumer without the three minutes of `pnpm bench`.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const env = benchEnvironment();
const settings = readSuiteSettings(env);
const rounds = positiveInteger('BENCH_ROUNDS', env.BENCH_ROUNDS, 3);
const rates: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const { drain } = await runDrainAndMemory(settings);
  const honest = drain.checks.filter((check) => check.honesty).every((check) => check.ok);
  if (!honest) {
    console.error(`round ${round}: an honesty check failed`, drain.checks);
    process.exit(1);
  }
  rates.push(drain.eventsPerSecond);
  const cpu = Object.entries(drain.cpuPercent)
    .map(([name, percent]) => `${name} ${Math.round(percent)}%`)
    .join(', ');
  console.log(`round ${round}: ${Math.round(drain.eventsPerSecond).toLocaleString('en-US')} events/s over ${drain.seconds.toFixed(2)} s (CPU: ${cpu})`);
}
const sorted = [...rates].sort((a, b) => a - b);
console.log(
  `median: ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0).toLocaleString('en-US')} events/s over ${rounds} rounds of ${settings.drainEvents} events`,
);
