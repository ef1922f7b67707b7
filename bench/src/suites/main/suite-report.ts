import { int, ms } from '../../lib/format.ts';
import { runtimeLabel } from '../../lib/processes/runtimes.ts';
import { checksList } from './suite-checks.ts';
import { cpuPerEventTable, cpuTable } from './suite-cpu-table.ts';
import type { SuiteReport } from './suite-report-types.ts';
import { httpTable, redisTable } from './suite-tables.ts';
import { EVENTS_STREAM } from '../../lib/redis/stream-length.ts';

/** The p99 target of issue 4: at most 25 ms at 50 connections on Node, scenario (a). */
export const P99_TARGET_MS = 25;

function p99Line(report: SuiteReport): string {
  const run = report.scenarios.find((scenario) => scenario.id === 'a' && scenario.runtime === 'node')?.ddup;
  if (!run) return `- p99 target (≤ ${P99_TARGET_MS} ms, Node, (a), ${report.settings.connections} connections): not measured.`;
  const p99 = run.measured.latencyMs.p99;
  return `- p99 target (≤ ${P99_TARGET_MS} ms, Node, (a), ${report.settings.connections} connections): ${ms(p99)} ms, ${p99 <= P99_TARGET_MS ? 'met' : 'NOT met'}.`;
}

function bunLine(report: SuiteReport): string {
  if (!report.bun) return 'Bun: not asked for (BENCH_RUNTIMES)';
  return report.bun.available ? `Bun ${report.bun.version}` : `Bun: not available (${report.bun.reason})`;
}

export function renderSuiteMarkdown(report: SuiteReport): string {
  const { machine, settings } = report;
  const runtimes = [...new Set(report.scenarios.map((scenario) => runtimeLabel(scenario.runtime)))].join(', ');
  return [
    `# ddup benchmark${settings.smoke ? ' (SMOKE: tiny runs, figures meaningless)' : ''}`,
    '',
    `- Date: ${machine.date}; Node ${machine.node}; ${bunLine(report)}; \`nproc\` ${machine.nproc}; load average ${machine.loadAverage.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end; whole run ${report.totalSeconds.toFixed(0)} s.`,
    `- Everything runs on this one ${machine.nproc}-core machine: the load generator (autocannon, in the benchmark's process), the gateway, one consumer process and redis-server share the CPU. Absolute figures are shared-CPU figures; read them against the baseline measured in the same run.`,
    `- HTTP runs (${runtimes}): autocannon, ${settings.connections} connections, pipelining 1, ${settings.warmupSeconds} s warm-up then ${settings.measureSeconds} s measured, per scenario the baseline first, then ddup. ddup = gateway (\`STREAM_SHARDS=1\`, \`LOG_LEVEL=warn\`, \`DURABILITY=memory\`) + one consumer process (its defaults: 4 consumers, batches of 1,000) + a fresh redis-server per runtime (AOF, \`appendfsync everysec\`). Baseline = a bare Hono app on the same runtime that parses the same JSON body and answers 202 (a batch: 200) without validation, hashing or Redis.`,
    p99Line(report),
    '',
    httpTable(report),
    '',
    `ddup and baseline: req/s is the mean of autocannon's per-second samples; events/s (batches) = events answered as accepted ÷ run time; "stored" = the stream's growth ÷ run time, which also counts batches answered 503 (Redis answered after the gateway's timeout) and those in flight at the end. Latency cells: ddup · baseline (ddup ÷ baseline). errors: non-2xx other than 409 / socket errors / timeouts.`,
    '',
    redisTable(report),
    '',
    `(c)'s script run and (d)'s pre-fill hash their ${int(settings.directEvents)} and ${int(settings.drainEvents)} events before the clock starts, then keep ${settings.inFlight} EVALSHA calls in flight on one connection. (c)'s runs while the consumer process confirms; (d) and (e) use their own fresh redis-server: pre-fill with no consumer, then one consumer process (\`apps/consumer/src/main.ts\`, defaults) is started and XINFO GROUPS polled every 50 ms; the rate is taken from the first reading that shows it at work to lag 0 and pending 0. (e): INFO memory used_memory after all are confirmed and the consumer stopped, minus used_memory of the empty server, ÷ events; then again after \`XTRIM ${EVENTS_STREAM} MAXLEN 0\` (every entry acknowledged).`,
    '',
    `CPU used during each measured run, in % of one core (${machine.nproc} cores = ${machine.nproc * 100} %), from /proc (user + system). load generator: the benchmark's own process; others: the rest of the machine meanwhile (other users of a shared machine); machine: all of it:`,
    '',
    cpuTable(report),
    '',
    'CPU time per event answered (a request of (a) and (b), an event of a batch in (c)), in µs, of each process: % of a core ÷ 100 × 10⁶ ÷ events answered a second:',
    '',
    cpuPerEventTable(report),
    '',
    'Checks (✓ passed; ✗ an honesty check failed: an answer claimed something untrue, and the run exits 1; ⚠ a sanity check failed, e.g. 503s under overload, which claim nothing):',
    '',
    checksList(report),
    '',
  ].join('\n');
}
