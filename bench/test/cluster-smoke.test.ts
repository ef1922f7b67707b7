import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { ClusterReport } from '../src/suites/cluster/cluster-report.ts';
import { runBenchSmoke } from '../src/lib/processes/bench-smoke.ts';

const ENTRY = fileURLToPath(new URL('../src/suites/cluster/main.ts', import.meta.url));

// `pnpm bench:cluster`, one short round: completion and honesty only, never timing.
it('pnpm bench:cluster runs both topologies with 202s = stream growth and writes cluster.json/md', async () => {
  const { report, markdown } = await runBenchSmoke<ClusterReport>(ENTRY, 'cluster', { BENCH_SECONDS: '1', BENCH_ROUNDS: '1' });
  const results = report.rounds.flat();
  expect(results.map((result) => result.topology).sort()).toEqual(['cluster', 'single']);
  for (const result of results) {
    expect(result.honesty.ok, JSON.stringify(result.honesty)).toBe(true);
    expect(result.measured.accepted202).toBeGreaterThan(0);
  }
  expect(markdown).toContain('Cluster / single');
}, 120_000);
