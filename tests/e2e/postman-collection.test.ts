/**
 * The old Python service's Postman collection, run unchanged with newman against ddup. It hard-codes
 * `localhost:8000`, so the launcher runs on port 8000 (and `localhost` may be ::1 or 127.0.0.1).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import newman, { type NewmanRunOptions, type NewmanRunSummary } from 'newman';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Launcher, cleanupLauncher, makeTempDir, removeDir, startLauncher } from './ddup-process.ts';

const COLLECTION = fileURLToPath(new URL('../../../shared/legacy/Deduplicator.postman_collection.json', import.meta.url));
const PORT = 8000;

const runCollection = promisify((options: NewmanRunOptions, done: (error: Error | null, summary: NewmanRunSummary) => void) => {
  newman.run(options, done);
});

/** Listens on every interface (as the gateway does) to find out whether the port is free. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Runs the collection once and answers each request's status code by its name in the collection. */
async function statusByRequest(): Promise<Record<string, number | undefined>> {
  const summary = await runCollection({ collection: COLLECTION, reporters: [], timeoutRequest: 30_000 });
  const codes: Record<string, number | undefined> = {};
  for (const execution of summary.run.executions) {
    // A request that got no answer (refused, timed out) has no response.
    const response: { readonly code: number } | undefined = execution.response;
    codes[execution.item.name] = response?.code;
  }
  const failures = summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`);
  expect(failures, 'newman reported failures').toEqual([]);
  return codes;
}

let dataDir: string;
let launcher: Launcher | undefined;

// The collection lives in the shared/ folder beside the repository, which a plain clone (CI's)
// lacks. Vitest's default reporter shows a skipped test only as a count, so this line says which
// and why, CI's output included.
const HAVE_COLLECTION = existsSync(COLLECTION);
if (!HAVE_COLLECTION) {
  const under = process.env.CI === 'true' ? ' under CI' : '';
  console.warn(`SKIPPED${under}: the legacy Postman collection test, for ${COLLECTION} is not there (the shared/ folder beside the repository)`);
}

beforeAll(async () => {
  if (!HAVE_COLLECTION) return;
  if (!(await portIsFree(PORT))) {
    throw new Error(`port ${PORT} is already in use; the legacy collection hard-codes localhost:${PORT}, so free it to run this test`);
  }
  dataDir = makeTempDir('ddup-e2e-postman-');
  launcher = startLauncher({ dataDir, port: PORT });
  await launcher.ready();
}, 120_000);

afterAll(async () => {
  await cleanupLauncher(launcher);
  removeDir(dataDir);
});

it.skipIf(!HAVE_COLLECTION)(
  'runs the legacy Postman collection unchanged: new events 202, then duplicates 409 (skipped without ../shared/legacy)',
  { timeout: 120_000 },
  async () => {
    const first = await statusByRequest();
    expect(first).toEqual({ test: 200, event1: 202, event2: 202 });

    const second = await statusByRequest();
    expect(second).toEqual({ test: 200, event1: 409, event2: 409 });

    const code = await launcher?.stop('SIGTERM');
    expect(code, launcher?.process.output()).toBe(0);
  },
);
