import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBenchSmoke } from '../src/lib/processes/bench-smoke.ts';
import type { SuiteReport } from '../src/suites/main/suite-report-types.ts';

const BENCH_ENTRY = fileURLToPath(new URL('../src/suites/main/main.ts', import.meta.url));

// The whole benchmark, tiny: it starts its own redis-server, gateway, consumer and baseline, runs
// every scenario and writes its results. Only completion and honesty are asserted, never timing
// (nor sanity checks such as "every answer 202": a loaded CI machine may see 503s, which are honest).
describe('pnpm bench (BENCH_SMOKE=1)', () => {
  it('runs every scenario with its honesty checks passing and writes latest.json and latest.md', async () => {
    const { report, markdown, output } = await runBenchSmoke<SuiteReport>(BENCH_ENTRY, 'latest', { BENCH_SMOKE: '1', BENCH_SECONDS: '1' });
    expect(report.settings.smoke).toBe(true);
    expect(report.honest, output).toBe(true);

    const nodeScenarios = report.scenarios.filter((scenario) => scenario.runtime === 'node');
    expect(nodeScenarios.map((scenario) => scenario.id)).toEqual(['a', 'b', 'c']);
    for (const scenario of report.scenarios) {
      if (scenario.unavailable) continue;
      const honesty = (scenario.ddup?.checks ?? []).filter((check) => check.honesty);
      expect(honesty.length).toBeGreaterThan(0);
      for (const check of honesty) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    }
    expect(report.direct?.admitted).toBe(report.settings.directEvents);
    expect(report.drain.prefilled).toBe(report.settings.drainEvents);
    expect(report.memory.events).toBe(report.settings.drainEvents);
    expect(markdown).toContain('| (a) unique events | Node |');
  }, 240_000);
});
