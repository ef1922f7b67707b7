import cluster from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a gateway worker waits for its Redis check before it listens anyway (to answer /healthz and /readyz). */
export const WORKER_READY_WAIT_MS = 10_000;

/**
 * A gateway worker (GATEWAY_PROCESSES > 1) joins the shared port once it can admit events: when
 * its Redis check has passed (`passed`), or after `maxWaitMs` with Redis still away. The port
 * hands new connections only to processes that listen, so a worker (re)starting beside running
 * ones does not answer 503 to what they would have served. A single gateway listens at once.
 */
export async function untilReadyToServe(passed: Promise<void>, maxWaitMs = WORKER_READY_WAIT_MS): Promise<void> {
  if (!cluster.isWorker) return;
  const waited = new AbortController();
  await Promise.race([passed, sleep(maxWaitMs, undefined, { signal: waited.signal }).catch(() => undefined)]);
  waited.abort();
}
