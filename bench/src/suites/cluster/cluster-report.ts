import type { TopologyResult } from './cluster-measure.ts';
import type { TopologyName } from './cluster-topology.ts';
import { int, median, ms, ratio, statuses } from '../../lib/format.ts';
import type { MachineInfo } from '../../lib/machine.ts';
import { leftColumn, markdownTable, rightColumn } from '../../lib/markdown-table.ts';
import type { BenchSettings } from '../../lib/settings.ts';

export interface ClusterReport {
  readonly machine: MachineInfo;
  readonly settings: BenchSettings;
  readonly totalSeconds: number;
  readonly rounds: readonly (readonly TopologyResult[])[];
}

function of(round: readonly TopologyResult[], name: TopologyName): TopologyResult | undefined {
  return round.find((result) => result.topology === name);
}

const ROUND_COLUMNS = [
  leftColumn('round'),
  leftColumn('topology'),
  rightColumn('req/s'),
  rightColumn('p50 ms'),
  rightColumn('p99 ms'),
  rightColumn('max ms'),
  leftColumn('statuses'),
  leftColumn('202s = stream growth'),
];

/** The per-round table and the median of the cluster/single ratios (each ratio taken within one round). */
export function renderClusterMarkdown(report: ClusterReport): string {
  const { machine, settings } = report;
  const rows: string[][] = [];
  const ratios: number[] = [];
  for (const [index, round] of report.rounds.entries()) {
    for (const result of round) {
      const { measured, honesty } = result;
      rows.push([
        `${index + 1}`,
        result.description,
        int(measured.requestsPerSecond),
        ms(measured.latencyMs.p50),
        ms(measured.latencyMs.p99),
        ms(measured.latencyMs.max),
        statuses(measured.statusCounts),
        `${honesty.ok ? '✓' : '✗'} ${int(honesty.accepted202)} / ${int(honesty.streamGrowth)}`,
      ]);
    }
    const single = of(round, 'single');
    const cluster = of(round, 'cluster');
    if (single && cluster) ratios.push(cluster.measured.requestsPerSecond / single.measured.requestsPerSecond);
  }
  return [
    '# ddup on Redis Cluster vs one Redis',
    '',
    `${machine.date} · Node ${machine.node} · ${machine.nproc} CPUs · load average ${machine.loadAverage.join(' ')} · ` +
      `${settings.rounds} mirrored rounds of ${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s, ` +
      `${settings.connections} connections, unique events, one gateway (Node) + one consumer process. Total ${int(report.totalSeconds)} s.`,
    '',
    markdownTable(ROUND_COLUMNS, rows),
    '',
    `Cluster / single, median of the per-round ratios: **${ratio(median(ratios))}** (rounds: ${ratios.map(ratio).join(', ')}).`,
    '',
    'Everything runs on this one machine: the three masters share its cores with the gateway, the consumer',
    'and the load generator, so the figure shows what the cluster path costs per request (routing, one',
    'connection per master), not what more machines would add.',
    '',
  ].join('\n');
}
