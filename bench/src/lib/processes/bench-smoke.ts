import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runBenchEntry } from './bench-entry-run.ts';

export interface BenchSmokeRun<Report> {
  /** `<name>.json` as the entry wrote it; its shape is the caller's word, not checked here. */
  readonly report: Report;
  /** `<name>.md` as the entry wrote it. */
  readonly markdown: string;
  /** The entry's stdout and stderr, for assertion messages. */
  readonly output: string;
}

/**
 * Runs a bench entry (for the smoke tests) with `env` and `BENCH_RESULTS_DIR` set to a fresh
 * directory, asserts it exited 0 and wrote `<name>.json` and `<name>.md`, and reads both back;
 * the directory is removed whatever happens.
 */
export async function runBenchSmoke<Report>(entry: string, name: string, env: Record<string, string>): Promise<BenchSmokeRun<Report>> {
  const resultsDir = mkdtempSync(join(tmpdir(), `ddup-bench-smoke-${name}-`));
  try {
    const { code, output } = await runBenchEntry(entry, { ...env, BENCH_RESULTS_DIR: resultsDir });
    expect(code, output).toBe(0);
    const jsonPath = join(resultsDir, `${name}.json`);
    const markdownPath = join(resultsDir, `${name}.md`);
    for (const path of [jsonPath, markdownPath]) expect(existsSync(path), `${path} written`).toBe(true);
    return { report: JSON.parse(readFileSync(jsonPath, 'utf8')) as Report, markdown: readFileSync(markdownPath, 'utf8'), output };
  } finally {
    rmSync(resultsDir, { recursive: true, force: true });
  }
}
