import type { ModeSummary, RoundResult } from './aggregate.ts';
import type { MachineInfo } from '../../lib/machine.ts';
import { leftColumn, markdownTable, rightColumn } from '../../lib/markdown-table.ts';
import type { ModeResult } from './measure-mode.ts';
import type { ModeSetup } from './modes.ts';
import type { BenchSettings } from '../../lib/settings.ts';
import { EVENTS_STREAM } from '../../lib/redis/stream-length.ts';

export interface DurabilityReport {
  readonly machine: MachineInfo;
  readonly settings: BenchSettings;
  readonly totalSeconds: number;
  readonly setups: readonly ModeSetup[];
  readonly summary: readonly ModeSummary[];
  readonly rounds: readonly RoundResult[];
}

const ms = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const rps = (value: number) => value.toFixed(0);

const SUMMARY_COLUMNS = [
  leftColumn('mode'),
  rightColumn('req/s'),
  rightColumn('× memory'),
  rightColumn('p50 ms'),
  rightColumn('p99 ms'),
  rightColumn('max ms'),
  rightColumn('202s'),
  rightColumn('stream growth'),
  rightColumn('errors'),
];

function summaryRow(summary: ModeSummary): string[] {
  const { latencyMs: latency } = summary;
  return [
    summary.mode,
    rps(summary.requestsPerSecond),
    summary.ratioToMemory.toFixed(2),
    ms(latency.p50Mean),
    ms(latency.p99Worst),
    ms(latency.maxWorst),
    `${summary.accepted202}`,
    `${summary.streamGrowth}`,
    `${summary.non2xx} / ${summary.errors} / ${summary.timeouts}`,
  ];
}

export function renderTable(report: DurabilityReport): string {
  return markdownTable(SUMMARY_COLUMNS, report.summary.map(summaryRow));
}

function roundsTable(report: DurabilityReport): string {
  const modes = report.summary.map((summary) => summary.mode);
  const cell = (round: RoundResult, index: number, mode: string) => {
    const result = round.results.find((candidate) => candidate.mode === mode);
    const ratio = report.summary.find((summary) => summary.mode === mode)?.ratioToMemoryByRound[index];
    return result ? `${rps(result.measured.requestsPerSecond)} (${ratio?.toFixed(2) ?? '?'}×)` : '–';
  };
  return markdownTable(
    [rightColumn('round'), leftColumn('order'), ...modes.map((mode) => rightColumn(`${mode} req/s (× memory)`))],
    report.rounds.map((round, index) => [
      `${round.round}`,
      round.results.map((result) => result.mode).join(' → '),
      ...modes.map((mode) => cell(round, index, mode)),
    ]),
  );
}

function setupLine(setup: ModeSetup): string {
  const replica = setup.replica
    ? `, plus a replica (\`--replicaof\`, online before the gateway starts); gateway \`WAIT ${setup.gatewayEnv.DURABILITY_WAIT_REPLICAS ?? '1'} ${setup.gatewayEnv.DURABILITY_WAIT_TIMEOUT_MS ?? '1000'}\` after each admission`
    : '';
  return `- \`${setup.mode}\`: redis-server with \`appendonly yes\`, \`appendfsync ${setup.appendFsync}\`${replica}.`;
}

function runLine(round: number, result: ModeResult): string {
  const check = result.honesty;
  const statuses =
    Object.entries(result.measured.statusCounts)
      .map(([code, count]) => `${code}×${count}`)
      .join(', ') || 'none';
  const allowed = [`${check.unansweredAtStop} sent but unanswered when autocannon stopped`];
  if (check.answered503 > 0) allowed.push(`${check.answered503} answered 503`);
  return `- round ${round} \`${result.mode}\`: statuses ${statuses}; XLEN grew by ${check.streamGrowth} = ${check.accepted202} 202s + ${check.storedWithout202} (allowed: ${allowed.join(', ')}) ${check.ok ? '✓' : '✗ MISMATCH'}; warm-up ${rps(result.warmup.requestsPerSecond)} req/s`;
}

export function renderMarkdown(report: DurabilityReport): string {
  const { machine, settings } = report;
  return [
    '# Cost of each DURABILITY mode',
    '',
    `- Date: ${machine.date}; Node ${machine.node}; \`nproc\` ${machine.nproc}; load average at start ${machine.loadAverage.join(' ')}; whole run ${report.totalSeconds.toFixed(0)} s.`,
    `- The load generator (autocannon, in-process) runs on the same ${machine.nproc}-core machine as the gateway and redis-server(s): absolute numbers are shared-CPU numbers and drift between runs, so compare modes by "× memory" (against \`memory\` measured in the same run).`,
    `- Admission cost only: no consumer runs (entries stay pending in \`${EVENTS_STREAM}\`; confirmation is not measured).`,
    `- ${settings.rounds} round(s) over the modes, every other one in reverse order (drift weighs on all modes alike). Each mode in each round: a fresh redis-server and a fresh gateway (Node, \`STREAM_SHARDS=1\`, one Redis connection), ${settings.warmupSeconds} s warm-up, ${settings.measureSeconds} s measured with ${settings.connections} connections; every request is \`POST /api/v1/ddup_service/events\` with a unique event.`,
    '',
    renderTable(report),
    '',
    `req/s: mean over rounds (each round: mean of per-second samples); × memory: that over \`memory\`'s; p50: mean over rounds; p99 and max: worst round; 202s and stream growth: summed over rounds; errors: non-2xx / socket errors / timeouts.`,
    '',
    'Per round:',
    '',
    roundsTable(report),
    '',
    'Setup:',
    ...report.setups.map(setupLine),
    "- The replica runs on the same host (loopback), so a WAIT costs a local round trip; across a network each admission waits one network round trip, and as WAIT holds the gateway's single Redis connection, admissions then serialize at about 1 / RTT.",
    '',
    'Honesty check (every 202 is a stream entry; the stream may also hold requests answered after autocannon closed its sockets):',
    ...report.rounds.flatMap((round) => round.results.map((result) => runLine(round.round, result))),
    '',
  ].join('\n');
}
