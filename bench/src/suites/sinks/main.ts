import { randomBytes } from 'node:crypto';
import { startTestNats, startTestPostgres } from '@ddup/test-utils';
import { benchEnvironment, resultsDir } from '../../lib/env.ts';
import { flag, positiveInteger, positiveSeconds } from '../../lib/env-values.ts';
import { wrkAvailable } from '../../lib/launched/wrk-run.ts';
import { describeMachine } from '../../lib/machine.ts';
import { writeResults } from '../../lib/write-results.ts';
import { startBenchReceiver } from './bench-receiver.ts';
import { type SinkProbe, natsProbe, postgresProbe, webhookProbe } from './sink-probes.ts';
import { type RunFigures, type RunSettings, measureRun } from './sinks-run.ts';
import { type SinksReport, renderSinks } from './sinks-report.ts';

// `pnpm bench:sinks`: events/s each sink type delivers with the gateway under load, the time from
// the 202 to delivery, and CPU per delivered event (issue 22), against its own nats-server,
// PostgreSQL and webhook receiver.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

if (!(await wrkAvailable())) {
  console.error('bench:sinks needs wrk on PATH (Debian: apt-get install wrk)');
  process.exit(3);
}
const env = benchEnvironment();
const settings: RunSettings = {
  seconds: positiveInteger('BENCH_SECONDS', env.BENCH_SECONDS, 15),
  warmupSeconds: positiveSeconds('BENCH_WARMUP_SECONDS', env.BENCH_WARMUP_SECONDS, 2),
  connections: positiveInteger('BENCH_CONNECTIONS', env.BENCH_CONNECTIONS, 50),
  drainTimeoutSeconds: positiveInteger('BENCH_DRAIN_TIMEOUT_SECONDS', env.BENCH_DRAIN_TIMEOUT_SECONDS, 180),
  pauseConsumer: flag('BENCH_PAUSE_CONSUMER', env.BENCH_PAUSE_CONSUMER),
  cpuProfileDir: env.BENCH_CPU_PROFILE_DIR?.trim() || undefined,
};
const concurrency = env.BENCH_SINK_CONCURRENCY === undefined ? undefined : positiveInteger('BENCH_SINK_CONCURRENCY', env.BENCH_SINK_CONCURRENCY, 4);
const only = (env.BENCH_SINKS ?? 'none,webhook,nats,postgres,all').split(',').map((name) => name.trim());
const started = Date.now();
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const [nats, pg, receiver] = await Promise.all([startTestNats(), startTestPostgres(), startBenchReceiver(secret)]);
const runs: RunFigures[] = [];
try {
  let run = 0;
  const probesOf = async (name: string): Promise<SinkProbe[]> => {
    run++;
    const hook = () => webhookProbe(`hooks-${run}`, receiver, secret, concurrency);
    const bus = () => natsProbe(`bus-${run}`, nats.url);
    const table = () => postgresProbe(`warehouse-${run}`, pg.url, concurrency);
    if (name === 'none') return [];
    if (name === 'webhook') return [hook()];
    if (name === 'nats') return [await bus()];
    if (name === 'postgres') return [table()];
    if (name === 'all') return [hook(), await bus(), table()];
    throw new Error(`BENCH_SINKS: unknown run "${name}" (none, webhook, nats, postgres, all)`);
  };
  for (const name of only) {
    const probes = await probesOf(name);
    try {
      const figures = await measureRun(name, probes, settings, name === 'none' ? [] : [nats.pid, pg.pid]);
      runs.push(figures);
      console.error(
        `${name}: ${JSON.stringify(figures.sinks.map((sink) => [sink.type, Math.round(sink.deliveredPerSecondUnderLoad), Math.round(sink.p99Ms)]))}`,
      );
    } finally {
      await Promise.all(probes.map((probe) => probe.close()));
    }
  }
} finally {
  await Promise.all([nats.stop(), pg.stop(), receiver.close()]);
}
const report: SinksReport = {
  machine: describeMachine(),
  settings,
  sinkConcurrency: concurrency,
  receiver:
    "the suite's own (bench-receiver.ts: verifies every signature with node:crypto, answers 204, records the webhook-id, first_seen_at and the arrival time)",
  runs,
  totalSeconds: (Date.now() - started) / 1000,
};
writeResults(resultsDir(env), settings.pauseConsumer ? 'sinks-backlog' : 'sinks', report, renderSinks(report));
if (runs.some((figures) => figures.checks.some((check) => !check.ok))) process.exit(1);
