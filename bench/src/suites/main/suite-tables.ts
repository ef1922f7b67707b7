import { checksMark, int, ms, ratio, statuses } from '../../lib/format.ts';
import type { TargetRun } from '../../lib/load/measure-target.ts';
import { centerColumn, leftColumn, markdownTable, rightColumn } from '../../lib/markdown-table.ts';
import { runtimeLabel } from '../../lib/processes/runtimes.ts';
import type { HttpScenarioResult } from './scenario-result.ts';
import type { SuiteReport } from './suite-report-types.ts';

/** The scenario's headline figure: req/s, or events accepted/s for batches. */
function figure(scenario: HttpScenarioResult, run: TargetRun): number {
  return scenario.eventsPerRequest === 1 ? run.measured.requestsPerSecond : run.eventsPerSecond;
}

function figureText(scenario: HttpScenarioResult, run: TargetRun): string {
  if (scenario.eventsPerRequest === 1) return `${int(run.measured.requestsPerSecond)} req/s`;
  const text = `${int(run.eventsPerSecond)} events/s (${int(run.measured.requestsPerSecond)} req/s)`;
  if (!run.stream) return text;
  // Batches answered 503 or abandoned at the end may be stored all the same: say how much was.
  const storedPerSecond = (run.stream.after - run.stream.before) / run.measured.durationSeconds;
  return `${text}; stored ${int(storedPerSecond)} events/s`;
}

function latencyCell(ddup: number, baseline: number): string {
  return `${ms(ddup)} · ${ms(baseline)} (${ratio(ddup / baseline)})`;
}

const HTTP_COLUMNS = [
  leftColumn('scenario'),
  leftColumn('runtime'),
  rightColumn('ddup'),
  rightColumn('baseline'),
  rightColumn('ddup ÷ baseline'),
  rightColumn('p50 ms ddup · baseline'),
  rightColumn('p99 ms ddup · baseline'),
  rightColumn('max ms ddup · baseline'),
  leftColumn('ddup statuses'),
  rightColumn('errors'),
  centerColumn('checks'),
];

function httpRow(scenario: HttpScenarioResult): string[] {
  const head = [`(${scenario.id}) ${scenario.title}`, runtimeLabel(scenario.runtime)];
  const { ddup, baseline } = scenario;
  if (scenario.unavailable || !ddup || !baseline) {
    // The reason in the first figure cell, the rest left empty to keep the table's width.
    const note = `not available: ${scenario.unavailable ?? '?'}`;
    return [...head, note, ...Array.from({ length: HTTP_COLUMNS.length - head.length - 1 }, () => '')];
  }
  const d = ddup.measured;
  const b = baseline.measured;
  return [
    ...head,
    figureText(scenario, ddup),
    figureText(scenario, baseline),
    ratio(figure(scenario, ddup) / figure(scenario, baseline)),
    latencyCell(d.latencyMs.p50, b.latencyMs.p50),
    latencyCell(d.latencyMs.p99, b.latencyMs.p99),
    latencyCell(d.latencyMs.max, b.latencyMs.max),
    statuses(d.statusCounts),
    `${int(d.non2xx - (d.statusCounts['409'] ?? 0))} / ${int(d.errors)} / ${int(d.timeouts)}`,
    checksMark([...ddup.checks, ...baseline.checks]),
  ];
}

/** Scenarios (a)–(c) over HTTP: the gateway beside the baseline on the same runtime. */
export function httpTable(report: SuiteReport): string {
  return markdownTable(HTTP_COLUMNS, report.scenarios.map(httpRow));
}

function nodeBatch(report: SuiteReport): TargetRun | undefined {
  return report.scenarios.find((scenario) => scenario.id === 'c' && scenario.runtime === 'node')?.ddup;
}

const REDIS_COLUMNS = [leftColumn('scenario'), rightColumn('ddup'), rightColumn('compared with'), rightColumn('ratio'), centerColumn('checks')];

/** Scenarios (c)'s yardstick, (d) and (e): Redis and the consumer, each beside what it is compared with. */
export function redisTable(report: SuiteReport): string {
  const { direct, drain, memory } = report;
  const rows: string[][] = [];
  if (direct) {
    const batch = nodeBatch(report);
    const batchText = `ddup batch, Node: ${batch ? `${int(batch.eventsPerSecond)} events/s` : 'not available'}`;
    rows.push([
      `(c) what Redis itself can admit: admission script from Node, ${direct.inFlight} in flight, on the Node gateway's redis-server`,
      `${int(direct.eventsPerSecond)} events/s (${int(direct.events)} in ${direct.seconds.toFixed(1)} s)`,
      batchText,
      batch ? `${ratio(batch.eventsPerSecond / direct.eventsPerSecond)} (batch ÷ script)` : '–',
      checksMark(direct.checks),
    ]);
    const lua = direct.batchScript;
    rows.push([
      `(c) what Redis itself can admit: the batch route's Lua loop (admit-batch-var.lua, ${int(lua.batchSize)} events per call, ${lua.inFlight} calls in flight) from Node`,
      `${int(lua.eventsPerSecond)} events/s (${int(lua.events)} in ${lua.seconds.toFixed(1)} s)`,
      batchText,
      batch ? `${ratio(batch.eventsPerSecond / lua.eventsPerSecond)} (batch ÷ Lua loop)` : '–',
      checksMark(direct.checks),
    ]);
  }
  rows.push([
    '(d) drain: one consumer process confirming a pre-filled stream until lag and pending are 0',
    `${int(drain.eventsPerSecond)} events/s (${int(drain.events)} in ${drain.seconds.toFixed(1)} s; ${drain.wallSeconds.toFixed(1)} s from spawn)`,
    `admission of the same ${int(drain.prefill.events)} events (script, ${drain.prefill.inFlight} in flight): ${int(drain.prefill.eventsPerSecond)} events/s`,
    `${ratio(drain.eventsPerSecond / drain.prefill.eventsPerSecond)} (drain ÷ admission)`,
    checksMark(drain.checks),
  ]);
  const old = report.oldServiceBytesPerEvent;
  const memoryOk = checksMark(memory.checks);
  rows.push(
    [
      '(e) Redis used_memory per remembered event: index record + stream entry (confirmed, not yet trimmed)',
      `${int(memory.bytesPerEvent.withStreamEntries)} B`,
      `old service ~${old} B`,
      ratio(memory.bytesPerEvent.withStreamEntries / old),
      memoryOk,
    ],
    [
      `(e) … index only (after XTRIM of the acknowledged entries; INDEX_CAPACITY=${int(memory.indexCapacity)}, ${int(memory.indexKeys)} bucket keys)`,
      `${memory.bytesPerEvent.indexOnly.toFixed(1)} B`,
      `old service ~${old} B`,
      ratio(memory.bytesPerEvent.indexOnly / old),
      memoryOk,
    ],
  );
  return markdownTable(REDIS_COLUMNS, rows);
}
