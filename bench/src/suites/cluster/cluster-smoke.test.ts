import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { ClusterReport } from './cluster-report.ts';
import { runBenchEntry } from '../../lib/processes/bench-entry-run.ts';

const ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));
const resultsDir = mkdtempSync(join(tmpdir(), 'ddup-cluster-bench-smoke-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

// `pnpm bench:cluster`, one short round: completion and honesty only, never timing.
it('pnpm bench:cluster runs both topologies with 202s = stream growth and writes cluster.json/md', async () => {
  const { code, output } = await runBenchEntry(ENTRY, { BENCH_SECONDS: '1', BENCH_ROUNDS: '1', BENCH_RESULTS_DIR: resultsDir });
  expect(code, output).toBe(0);
  const report = JSON.parse(readFileSync(join(resultsDir, 'cluster.json'), 'utf8')) as ClusterReport;
  const results = report.rounds.flat();
  expect(results.map((result) => result.topology).sort()).toEqual(['cluster', 'single']);
  for (const result of results) {
    expect(result.honesty.ok, JSON.stringify(result.honesty)).toBe(true);
    expect(result.measured.accepted202).toBeGreaterThan(0);
  }
  expect(readFileSync(join(resultsDir, 'cluster.md'), 'utf8')).toContain('Cluster / single');
}, 120_000);
