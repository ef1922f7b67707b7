import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { ClusterReport } from './cluster-report.ts';
import { benchEnvironment } from './env.ts';

const ENTRY = fileURLToPath(new URL('./cluster.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const resultsDir = mkdtempSync(join(tmpdir(), 'ddup-cluster-bench-smoke-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

// `pnpm bench:cluster`, one short round: completion and honesty only, never timing.
it('pnpm bench:cluster runs both topologies with 202s = stream growth and writes cluster.json/md', async () => {
  const env = { ...benchEnvironment(), BENCH_SECONDS: '1', BENCH_ROUNDS: '1', BENCH_RESULTS_DIR: resultsDir };
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, ['--import', tsxLoader, ENTRY], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
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
