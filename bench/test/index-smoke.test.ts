import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runBenchSmoke } from '../src/lib/processes/bench-smoke.ts';
import type { IndexReport } from '../src/suites/index/report.ts';

const ENTRY = fileURLToPath(new URL('../src/suites/index/main.ts', import.meta.url));

// `pnpm bench:index`, tiny: both layouts admit every event once and remember it; never timing.
it('pnpm bench:index compares both layouts and the fill levels, with its checks passing', async () => {
  const { report, markdown } = await runBenchSmoke<IndexReport>(ENTRY, 'index', { BENCH_SMOKE: '1' });
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
  expect(markdown).toContain('| remembered events |');
}, 120_000);
