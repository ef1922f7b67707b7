// Load-test runner of compose.loadtest.yaml: waits for the gateway's GET /readyz, then runs
// autocannon against POST /api/v1/ddup_service/events in two phases and prints one table:
//   unique     every request a new event (the admission path): each should get 202
//   duplicate  one event over and over (the duplicate path): one 202, then 409s
// Events carry a run id, so a rerun against the same Redis never collides with an earlier run.
// Exits 1 when the gateway does not become ready, or when a phase got answers it should not have.
//
// Settings (environment): TARGET_URL (http://gateway:8000), CONNECTIONS (100), PIPELINING (1),
// DURATION_SECONDS (20, per phase), READY_TIMEOUT_SECONDS (180).
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

const EVENTS_PATH = '/api/v1/ddup_service/events';

function positiveInteger(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) {
    console.error(`loadtest: ${name} must be a whole number of at least 1 (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return Number(raw);
}

const target = (process.env.TARGET_URL ?? 'http://gateway:8000').replace(/\/+$/, '');
const connections = positiveInteger('CONNECTIONS', 100);
const pipelining = positiveInteger('PIPELINING', 1);
const durationSeconds = positiveInteger('DURATION_SECONDS', 20);
const readyTimeoutSeconds = positiveInteger('READY_TIMEOUT_SECONDS', 180);
const runId = randomUUID();

async function waitUntilReady() {
  const deadline = Date.now() + readyTimeoutSeconds * 1000;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${target}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.error(`loadtest: ${target}/readyz not ready within ${readyTimeoutSeconds}s (last: ${last})`);
  process.exit(1);
}

function eventBody(userId, n) {
  return JSON.stringify({
    user_id: userId,
    event_type: 'loadtest',
    timestamp: '2026-01-01T00:00:00Z',
    payload: { run: runId, n },
  });
}

function runPhase(setupRequest) {
  return autocannon({
    url: target,
    connections,
    pipelining,
    duration: durationSeconds,
    requests: [{ method: 'POST', path: EVENTS_PATH, headers: { 'content-type': 'application/json' }, setupRequest }],
  });
}

function statusCount(result, code) {
  return result.statusCodeStats?.[String(code)]?.count ?? 0;
}

function summarize(name, result, expectation) {
  const answered = Object.values(result.statusCodeStats ?? {}).reduce((sum, stats) => sum + stats.count, 0);
  const accepted = statusCount(result, 202);
  const duplicates = statusCount(result, 409);
  const other = answered - accepted - duplicates;
  const failures = expectation({ accepted, duplicates, other });
  if (result.errors > 0 || result.timeouts > 0) {
    failures.push(`${result.errors} connection errors and ${result.timeouts} timeouts (requests without an answer)`);
  }
  return {
    row: {
      phase: name,
      requests: answered,
      'req/s (mean)': Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      'max ms': result.latency.max,
      '202 new': accepted,
      '409 duplicate': duplicates,
      'other status': other,
      errors: result.errors,
      timeouts: result.timeouts,
    },
    failures: failures.map((failure) => `${name}: ${failure}`),
  };
}

function printTable(rows) {
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((column) => String(row[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i].length)));
  const line = (values) => `| ${values.map((value, i) => (i === 0 ? value.padEnd(widths[i]) : value.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(columns));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const values of cells) console.log(line(values));
}

await waitUntilReady();
console.log(`loadtest: ${target}, ${connections} connections, pipelining ${pipelining}, ${durationSeconds} s per phase, run ${runId}`);

let unique = 0;
const uniqueResult = await runPhase((request) => {
  unique += 1;
  request.body = eventBody(`lt-${runId}`, unique);
  return request;
});
const duplicateBody = eventBody(`lt-dup-${runId}`, 0);
const duplicateResult = await runPhase((request) => {
  request.body = duplicateBody;
  return request;
});

const phases = [
  summarize('unique', uniqueResult, ({ duplicates, other }) => [
    ...(duplicates > 0 ? [`${duplicates} answers 409 for events never sent before`] : []),
    ...(other > 0 ? [`${other} answers neither 202 nor 409 (503: Redis too slow or away)`] : []),
  ]),
  summarize('duplicate', duplicateResult, ({ accepted, other }) => [
    ...(accepted !== 1 ? [`${accepted} answers 202 for one event (expected exactly 1)`] : []),
    ...(other > 0 ? [`${other} answers neither 202 nor 409`] : []),
  ]),
];
printTable(phases.map((phase) => phase.row));
console.log(
  'One run on one Docker host: the load generator, gateway, consumers and all Redis nodes share its CPUs, ' +
    'so these figures describe this host and this run, not the service in general.',
);
const failures = phases.flatMap((phase) => phase.failures);
for (const failure of failures) console.log(`CHECK FAILED ${failure}`);
process.exit(failures.length > 0 ? 1 : 0);
