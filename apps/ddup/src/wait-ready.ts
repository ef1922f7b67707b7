import { setTimeout as sleep } from 'node:timers/promises';

/** Polls the gateway's /readyz until it answers 200, or gives up after `timeoutMs`. */
export async function waitUntilReady(port: number, timeoutMs: number, stillAlive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillAlive()) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}
