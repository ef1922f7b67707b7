import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runBenchSmoke } from '../src/lib/processes/bench-smoke.ts';
import { LADDER_STEPS } from '../src/suites/ladder/ladder-steps.ts';
import { type LadderReport, checksOf, cpuMicrosPerRequest } from '../src/suites/ladder/ladder-report.ts';

const ENTRY = fileURLToPath(new URL('../src/suites/ladder/main.ts', import.meta.url));

// `pnpm bench:ladder`, one short round: every step runs and answers honestly; never timing.
it('pnpm bench:ladder runs every step with its honesty checks passing and writes ladder.json/md', async () => {
  const { report, markdown } = await runBenchSmoke<LadderReport>(ENTRY, 'ladder', { BENCH_SECONDS: '1', BENCH_ROUNDS: '1' });
  const results = report.rounds.flat();
  expect(results.map((result) => result.step)).toEqual(LADDER_STEPS.map((step) => step.name));
  for (const result of results) {
    expect(result.run.measured.accepted202).toBeGreaterThan(0);
    for (const check of checksOf(result).filter((c) => c.honesty)) expect(check.ok, `${result.step}: ${check.name}: ${check.detail}`).toBe(true);
    expect(cpuMicrosPerRequest(result).server).toBeGreaterThan(0);
  }
  // Steps with Redis: the stream grew by the 202s, and the consumer confirmed them.
  for (const result of results.filter((r) => r.step.startsWith('ddup'))) {
    expect(result.confirmed?.ok, result.confirmed?.detail).toBe(true);
    expect(result.run.checks.map((check) => check.name)).toContain('stream growth = events answered as stored');
  }
  expect(markdown).toContain('| `gateway-in-memory` |');
}, 180_000);
