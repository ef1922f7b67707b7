import { configDefaults, defineConfig } from 'vitest/config';

// Where a test lives says what it needs (CONTRIBUTING.md): `src/**/*.test.ts` beside the code is a
// unit test (no Redis, no process, no socket); `apps/*/test` and `packages/*/test` start their own
// redis-server (and may start a service process); `tests/` and `bench/test` run whole services.
// `pnpm test` runs every project, unit first (a broken unit fails in seconds), then the other three
// together, slowest (or largest) files first; `pnpm test:unit` (`--project unit`) runs only the first.
const UNIT = ['apps/*/src/**/*.test.ts', 'apps/*/scripts/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'bench/src/**/*.test.ts'];
/** Tests that start a Redis Cluster (several redis-servers each). */
const CLUSTER = ['tests/cluster/**/*.test.ts', 'packages/*/test/cluster-*.test.ts', 'bench/test/cluster-*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      // Pure tests share one module graph in threads: no process per file, a few seconds in all.
      { extends: true, test: { name: 'unit', include: UNIT, pool: 'threads', isolate: false, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'redis',
          include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...CLUSTER],
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts', 'tests/compose/**/*.test.ts', 'bench/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...CLUSTER],
          sequence: { groupOrder: 1 },
        },
      },
      { extends: true, test: { name: 'cluster', include: CLUSTER, sequence: { groupOrder: 1 } } },
    ],
  },
});
