import { int, ms } from '../../lib/format.ts';
import type { MachineInfo } from '../../lib/machine.ts';
import { markdownTable, leftColumn, rightColumn } from '../../lib/markdown-table.ts';
import type { RunFigures, RunSettings } from './sinks-run.ts';

export interface SinksReport {
  readonly machine: MachineInfo;
  readonly settings: RunSettings;
  /** BENCH_SINK_CONCURRENCY: the webhook and postgres sinks' `concurrency`, undefined for their default (4). */
  readonly sinkConcurrency: number | undefined;
  readonly receiver: string;
  readonly runs: readonly RunFigures[];
  readonly totalSeconds: number;
}

const micros = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(0));

export function renderSinks(report: SinksReport): string {
  const { machine, settings } = report;
  const sinkRows = report.runs.flatMap((run) =>
    run.sinks.map((sink) => [
      run.label,
      sink.type,
      int(run.acceptedPerSecond),
      int(sink.deliveredPerSecondUnderLoad),
      int(sink.deliveredPerSecondCatchUp),
      int(sink.deliveredPerSecondOverall),
      run.catchUpSeconds.toFixed(1),
      ms(sink.p50Ms),
      ms(sink.p99Ms),
      ms(sink.maxMs),
      int(sink.latencySamples),
    ]),
  );
  const cpuNames = ['consumer', 'redis', 'gateway', 'sink servers', 'bench process'];
  const cpuRows = report.runs.map((run) => [
    run.label,
    int(run.acceptedPerSecond),
    int(run.accepted),
    ...cpuNames.map((name) => micros(run.cpuMicrosPerEvent[name])),
  ]);
  const failed = report.runs.flatMap((run) => run.checks.filter((check) => !check.ok).map((check) => `${run.label}: ${check.name}`));
  return [
    '# bench:sinks: delivery to webhook, NATS JetStream and PostgreSQL under load',
    '',
    `${machine.date}, Node ${machine.node}, ${machine.nproc} cores, load average ${machine.loadAverage.map((value) => value.toFixed(2)).join(' ')} at the end; ${report.totalSeconds.toFixed(0)} s in all.`,
    `Each run: a fresh redis-server, gateway and consumer (one shard, sink defaults${report.sinkConcurrency === undefined ? '' : ` but concurrency ${report.sinkConcurrency} for webhook and postgres`}), wrk -t1 -c${settings.connections} with the 80/20 mix for ${settings.warmupSeconds} s of warm-up, catch-up, then ${settings.seconds} s measured${settings.pauseConsumer ? ' with the consumer stopped (SIGSTOP)' : ''} and the catch-up after it. Webhook receiver: ${report.receiver}.`,
    '',
    markdownTable(
      [
        leftColumn('run'),
        leftColumn('sink'),
        rightColumn('accepted/s'),
        rightColumn('delivered/s under load'),
        rightColumn('delivered/s in its catch-up'),
        rightColumn('delivered/s overall'),
        rightColumn('catch-up s'),
        rightColumn('202→delivered p50'),
        rightColumn('p99'),
        rightColumn('max'),
        rightColumn('latencies'),
      ],
      sinkRows,
    ),
    '',
    'CPU µs per accepted event, from the start of the measured load until every group caught up (the "all" run delivers each event three times; "sink servers" are nats-server and PostgreSQL with its backends, both running in every run but "none"; "bench process" is mostly the webhook receiver):',
    '',
    markdownTable([leftColumn('run'), rightColumn('accepted/s'), rightColumn('events'), ...cpuNames.map((name) => rightColumn(name))], cpuRows),
    '',
    `wrk: ${report.runs.map((run) => `${run.label} ${int(run.load.requests / run.load.seconds)} req/s (p99 ${ms(run.load.p99Ms)})`).join('; ')}.`,
    '',
    failed.length === 0
      ? 'Checks: every group caught up, every sink holds every accepted event, no duplicate webhook.'
      : `FAILED CHECKS:\n${failed.map((line) => `- ${line}`).join('\n')}`,
    '',
  ].join('\n');
}
