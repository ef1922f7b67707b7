import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { runBenchEntry } from '../../lib/processes/bench-entry-run.ts';
import type { IndexReport } from './report.ts';

const ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));
const resultsDir = mkdtempSync(join(tmpdir(), 'ddup-index-bench-smoke-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

// `pnpm bench:index`, tiny: both layouts admit every event once and remember it; never timing.
it('pnpm bench:index compares both layouts and the fill levels, with its checks passing', async () => {
  const { code, output } = await runBenchEntry(ENTRY, { BENCH_SMOKE: '1', BENCH_RESULTS_DIR: resultsDir });
  expect(code, output).toBe(0);
  const report = JSON.parse(readFileSync(join(resultsDir, 'index.json'), 'utf8')) as IndexReport;
  expect(report.layouts.map((run) => run.layout)).toEqual([
    'per-key (before)',
    'compact (INDEX_CAPACITY=5,000)',
    'per-key (before)',
    'compact (INDEX_CAPACITY=5,000)',
  ]);
  for (const run of report.layouts) {
    for (const check of run.checks) expect(check.ok, `${run.layout}: ${check.name}: ${check.detail}`).toBe(true);
    expect(run.bytesPerEvent).toBeGreaterThan(0);
    expect(run.cost.redisCpuMicros).toBeGreaterThan(0);
  }
  expect(report.scale.stages.map((stage) => stage.remembered)).toEqual([1_000, 10_000]);
  expect(readFileSync(join(resultsDir, 'index.md'), 'utf8')).toContain('| remembered events |');
}, 120_000);
