import { setTimeout as sleep } from 'node:timers/promises';

/** Waits after the n-th consecutive failure (100 ms doubling, 5 s at most); an abort ends the wait early. */
export async function backoff(failures: number, signal: AbortSignal): Promise<void> {
  const delay = Math.min(100 * 2 ** Math.min(failures, 6), 5_000);
  await sleep(delay, undefined, { signal }).catch(() => undefined);
}
