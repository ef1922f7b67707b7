import { int, median } from '../../lib/format.ts';
import type { describeMachine } from '../../lib/machine.ts';
import { leftColumn, markdownTable, rightColumn } from '../../lib/markdown-table.ts';
import type { AdmissionCost } from './measure.ts';

export interface IndexReport {
  readonly machine: ReturnType<typeof describeMachine>;
  readonly settings: { events: number; timed: number; levels: number[]; inFlight: number; windowSeconds: number; smoke: boolean };
  readonly layouts: {
    layout: string;
    cost: AdmissionCost;
    keys: number;
    bytesPerEvent: number;
    checks: { name: string; ok: boolean; detail: string }[];
  }[];
  readonly scale: { capacity: number; bucketsPerShard: number; timed: number; stages: { remembered: number; cost: AdmissionCost }[] };
  readonly totalSeconds: number;
}

const micros = (n: number) => n.toFixed(1);

const SUMMARY_COLUMNS = [
  leftColumn('layout'),
  rightColumn('bytes per remembered event'),
  rightColumn('Redis CPU per admission'),
  rightColumn('÷ per-key'),
  rightColumn('EVALSHA µs per call'),
  rightColumn('admissions/s'),
];

const RUN_COLUMNS = [
  leftColumn('layout'),
  rightColumn('bytes/event'),
  rightColumn('Redis CPU µs'),
  rightColumn('EVALSHA µs'),
  rightColumn('admissions/s'),
  rightColumn('keys after'),
  leftColumn('checks'),
];

const STAGE_COLUMNS = [
  rightColumn('remembered events'),
  rightColumn('Redis CPU per admission'),
  rightColumn('EVALSHA µs per call'),
  rightColumn('admissions/s'),
];

export function renderIndexMarkdown(report: IndexReport): string {
  const { settings, layouts, scale } = report;
  const names = [...new Set(layouts.map((layout) => layout.layout))];
  const summary = names.map((name) => {
    const runs = layouts.filter((layout) => layout.layout === name);
    return {
      name,
      bytes: median(runs.map((run) => run.bytesPerEvent)),
      cpu: median(runs.map((run) => run.cost.redisCpuMicros)),
      script: median(runs.map((run) => run.cost.scriptMicros)),
      rate: median(runs.map((run) => run.cost.perSecond)),
    };
  });
  const before = summary[0];
  const lines = [
    '# Dedup index: compact layout against the per-key layout it replaced',
    '',
    `${report.machine.date}, ${report.machine.nproc} cores, load average ${report.machine.loadAverage.join(' ')}, Node ${report.machine.node}; ${report.totalSeconds.toFixed(0)} s in all.${settings.smoke ? ' **Smoke run: sizes too small to mean anything.**' : ''}`,
    '',
    `Each run: a fresh redis-server (appendonly everysec), ${int(settings.events)} distinct events admitted through the admission script`,
    `with its XADD (EVALSHA, ${settings.inFlight} calls in flight on one connection), the stream trimmed, then \`used_memory\` against the`,
    'empty server (scripts already cached). Redis CPU is INFO cpu (user + sys) over the admissions; script time is INFO',
    'commandstats `usec_per_call` of EVALSHA. The layouts alternate (per-key, compact, per-key, compact); medians below.',
    '',
    markdownTable(
      SUMMARY_COLUMNS,
      summary.map((row) => [
        row.name,
        `${row.bytes.toFixed(1)} B`,
        `${micros(row.cpu)} µs`,
        `${before ? (row.cpu / before.cpu).toFixed(2) : '–'}×`,
        micros(row.script),
        int(row.rate),
      ]),
    ),
    '',
    '## Every run',
    '',
    markdownTable(
      RUN_COLUMNS,
      layouts.map((run) => [
        run.layout,
        run.bytesPerEvent.toFixed(1),
        micros(run.cost.redisCpuMicros),
        micros(run.cost.scriptMicros),
        int(run.cost.perSecond),
        int(run.keys),
        run.checks.map((check) => `${check.ok ? '✓' : '✗'} ${check.name} (${check.detail})`).join('; '),
      ]),
    ),
    '',
    `## Admission cost as the index fills (INDEX_CAPACITY=${int(scale.capacity)}, ${int(scale.bucketsPerShard)} buckets)`,
    '',
    `At each level, ${int(scale.timed)} new events are admitted and timed (the stream trimmed between stretches).`,
    '',
    markdownTable(
      STAGE_COLUMNS,
      scale.stages.map((stage) => [
        int(stage.remembered),
        `${micros(stage.cost.redisCpuMicros)} µs`,
        micros(stage.cost.scriptMicros),
        int(stage.cost.perSecond),
      ]),
    ),
    '',
  ];
  return lines.join('\n');
}
