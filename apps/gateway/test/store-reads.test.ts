/**
 * The store reads behind /metrics and the dashboard with many tenants (issue 19, item 5): a
 * gateway process with 5,000 tenants on 4 shards, a real Redis counting its calls (INFO
 * commandstats). One scrape costs a fixed number of Redis calls whatever the tenant count, and
 * scrapes that overlap share one read. The admissions' p99 with and without 8 looping scrapers
 * and 5 open dashboards is reported, not asserted (timings are the machine's).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SAMPLE_CALLS, SAMPLE_BUDGET_BUCKETS } from '@ddup/store';
import { sampleEvent, useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { SNAPSHOT_REUSE_MS } from '../src/metrics/store-snapshot.ts';
import { DashboardStreamReader } from './dashboard-stream-reader.ts';
import { type GatewayProcess, startGatewayProcess } from './gateway-process.ts';

const TENANTS = 5_000;
const SHARDS = 4;
/** Per shard: XINFO STREAM, XLEN, XINFO GROUPS, XINFO CONSUMERS, the group's pending summary, and the estimate's script calls; INFO memory once. */
const CALLS_PER_READ = SHARDS * (5 + MAX_SAMPLE_CALLS) + 1;
/** Buckets the estimate's rounds read at most: the last round's budget, and a third more before it (32 + 128 + 512 before 2,048). */
const BUCKETS_PER_READ = Math.floor((SAMPLE_BUDGET_BUCKETS * 4) / 3);
/** The gateway's own background calls (its memory watch) that may fall within a measurement. */
const SLACK = 4;
const LOAD_MS = 3_000;

const test = useTestRedis();
let dir: string;
let gateway: GatewayProcess;
let base: string;
const keyOf = (n: number) => `store-reads-key-${n}-0123456789`;

/** Calls Redis has served so far, by command, and the µs scripts took (`evalsha` as `usec`). */
async function commandCalls(): Promise<Map<string, number>> {
  const info = await test.client.info('commandstats');
  const calls = new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((match) => [String(match[1]), Number(match[2])]));
  calls.set('usec', Number(/^cmdstat_evalsha:calls=\d+,usec=(\d+)/m.exec(info)?.[1] ?? 0));
  return calls;
}

interface Calls {
  /** Commands sent to Redis (the GET and TIME a script makes inside it are not: see `inScripts`). */
  readonly all: number;
  readonly scripts: number;
  /** Commands scripts made inside (count-live reads each sampled bucket with GET, and TIME once). */
  readonly inScripts: number;
  /** The commands called, most first: `name×count`. */
  readonly by: string;
  /** Time Redis spent in scripts, in ms (all its other work waited meanwhile). */
  readonly scriptMs: number;
}

/** The Redis calls made while `work` ran (less the INFO that measured them). */
async function callsOf(work: () => Promise<unknown>): Promise<Calls> {
  const before = await commandCalls();
  await work();
  const after = await commandCalls();
  const delta = [...after]
    .map(([name, calls]) => [name, calls - (before.get(name) ?? 0) - (name === 'info' ? 1 : 0)] as const)
    .filter(([name, calls]) => calls > 0 && name !== 'usec');
  const scriptMs = ((after.get('usec') ?? 0) - (before.get('usec') ?? 0)) / 1000;
  delta.sort((a, b) => b[1] - a[1]);
  const count = (names: string[]) => delta.filter(([name]) => names.includes(name)).reduce((sum, [, calls]) => sum + calls, 0);
  // No top-level GET or TIME is sent during a scrape: every one is a script's.
  const inScripts = count(['get', 'time']);
  return {
    all: count(delta.map(([name]) => name)) - inScripts,
    scripts: count(['evalsha', 'eval']),
    scriptMs,
    inScripts,
    by: delta.map(([name, calls]) => `${name}×${calls}`).join(' '),
  };
}

async function scrape(): Promise<string> {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ddup-store-reads-'));
  const tenants = Array.from({ length: TENANTS }, (_, n) => ({
    id: `t${n}`,
    api_keys: [`sha256:${createHash('sha256').update(keyOf(n)).digest('hex')}`],
  }));
  const file = join(dir, 'tenants.json');
  writeFileSync(file, JSON.stringify({ tenants }));
  gateway = await startGatewayProcess({ REDIS_URL: test.redis.url, STREAM_SHARDS: String(SHARDS), TENANTS_FILE: file, INDEX_CAPACITY: '100000' });
  base = `http://127.0.0.1:${gateway.port}`;
  // Some events in a few spaces, and the scripts loaded.
  for (let n = 0; n < 40; n++) {
    const response = await fetch(`${base}${API_PREFIX}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyOf(n % 8)}`, 'content-type': 'application/json' },
      body: JSON.stringify(sampleEvent(`warm-${n}`)),
    });
    expect(response.status).toBe(202);
  }
  await scrape();
}, 120_000);

afterAll(async () => {
  await gateway?.service.stop('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`the store read of /metrics with ${TENANTS} tenants on ${SHARDS} shards`, () => {
  it('costs a fixed number of Redis calls, whatever the tenant count', async () => {
    // Past the reuse window of the warm-up read.
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_REUSE_MS + 100));
    const calls = await callsOf(scrape);
    console.log(
      `one /metrics scrape: ${calls.all} Redis calls, ${calls.inScripts} inside scripts taking ${calls.scriptMs} ms of Redis (${calls.by}; at most ${CALLS_PER_READ} + ${SLACK} allowed)`,
    );
    expect(calls.scripts).toBeLessThanOrEqual(SHARDS * MAX_SAMPLE_CALLS);
    expect(calls.all).toBeLessThanOrEqual(CALLS_PER_READ + SLACK);
    expect(calls.inScripts).toBeLessThanOrEqual(BUCKETS_PER_READ + SHARDS * MAX_SAMPLE_CALLS);
  });

  it('is shared by scrapes that overlap: 8 at once make one read', async () => {
    await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_REUSE_MS + 100));
    const calls = await callsOf(() => Promise.all(Array.from({ length: 8 }, scrape)));
    console.log(`8 concurrent /metrics scrapes: ${calls.all} Redis calls, ${calls.inScripts} inside scripts (${calls.by})`);
    expect(calls.scripts).toBeLessThanOrEqual(SHARDS * MAX_SAMPLE_CALLS);
    expect(calls.all).toBeLessThanOrEqual(CALLS_PER_READ + SLACK);
    expect(calls.inScripts).toBeLessThanOrEqual(BUCKETS_PER_READ + SHARDS * MAX_SAMPLE_CALLS);
  });

  it('leaves admissions answering while 8 scrapers loop and 5 dashboards are open (p99 reported)', async () => {
    const quiet = await admissionLatencies(LOAD_MS);
    // The same HTTP load without any store read: what the scrapers cost the gateway's core by themselves.
    const control = await admissionsWhile('/healthz', 0);
    const loaded = await admissionsWhile('/metrics', 5);
    const p99 = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? Number.NaN;
    const line = (name: string, run: { ms: number[] }) => `${p99(run.ms).toFixed(1)} ms ${name} (${run.ms.length} in ${LOAD_MS} ms)`;
    console.log(
      `admissions p99: ${line('quiet', quiet)}, ${line(`with 8 looping /healthz clients (${control.requests} requests)`, control)}, ` +
        `${line(`with 8 looping scrapers and 5 dashboards (${loaded.requests} scrapes)`, loaded)}; Redis calls meanwhile: ${loaded.calls.by}`,
    );
    expect(loaded.failures).toBe(0);
    expect(loaded.ms.length).toBeGreaterThan(0);
  }, 60_000);
});

/** Admissions (admissionLatencies) while 8 clients GET `path` in a loop and `dashboards` dashboard streams are read. */
async function admissionsWhile(path: string, dashboards: number) {
  const stop = new AbortController();
  let requests = 0;
  const loops = Array.from({ length: 8 }, async () => {
    while (!stop.signal.aborted) {
      const response = await fetch(`${base}${path}`, { signal: stop.signal }).catch(() => undefined);
      await response?.text().catch(() => undefined);
      requests++;
    }
  });
  const readers = await Promise.all(Array.from({ length: dashboards }, async () => new DashboardStreamReader(await fetch(`${base}/dashboard/stream`))));
  const reading = readers.map(async (reader) => {
    while (!stop.signal.aborted) await reader.next().catch(() => stop.abort());
  });
  let run: { ms: number[]; failures: number } = { ms: [], failures: 0 };
  const calls = await callsOf(async () => {
    run = await admissionLatencies(LOAD_MS);
  });
  stop.abort();
  await Promise.all(readers.map((reader) => reader.close()));
  await Promise.allSettled([...loops, ...reading]);
  return { ...run, requests, calls };
}

/** POSTs new events from 8 clients (to 8 tenants) for `durationMs`; each answer's time. */
async function admissionLatencies(durationMs: number): Promise<{ ms: number[]; failures: number }> {
  const ms: number[] = [];
  let failures = 0;
  const until = performance.now() + durationMs;
  let n = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, client) => {
      while (performance.now() < until) {
        const startedAt = performance.now();
        const response = await fetch(`${base}${API_PREFIX}/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keyOf(client)}`, 'content-type': 'application/json' },
          body: JSON.stringify(sampleEvent(`load-${client}-${n++}-${Math.random()}`)),
        });
        await response.arrayBuffer();
        if (response.status === 202) ms.push(performance.now() - startedAt);
        else failures++;
      }
    }),
  );
  return { ms, failures };
}
