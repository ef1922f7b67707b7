import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchEntry } from '../../lib/processes/bench-entry-run.ts';
import type { SuiteReport } from './suite-report-types.ts';

const BENCH_ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));

function runSmoke(resultsDir: string) {
  return runBenchEntry(BENCH_ENTRY, { BENCH_SMOKE: '1', BENCH_SECONDS: '1', BENCH_RESULTS_DIR: resultsDir });
}

// The whole benchmark, tiny: it starts its own redis-server, gateway, consumer and baseline, runs
// every scenario and writes its results. Only completion and honesty are asserted, never timing
// (nor sanity checks such as "every answer 202": a loaded CI machine may see 503s, which are honest).
describe('pnpm bench (BENCH_SMOKE=1)', () => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'ddup-bench-smoke-'));
  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('runs every scenario with its honesty checks passing and writes latest.json and latest.md', async () => {
    const { code, output } = await runSmoke(resultsDir);
    expect(code, output).toBe(0);
    expect(existsSync(join(resultsDir, 'latest.md'))).toBe(true);
    const report = JSON.parse(readFileSync(join(resultsDir, 'latest.json'), 'utf8')) as SuiteReport;
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
    expect(readFileSync(join(resultsDir, 'latest.md'), 'utf8')).toContain('| (a) unique events | Node |');
  }, 240_000);
});
