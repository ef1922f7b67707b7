import { isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The gateway's base URL as this machine reaches it, listening on `host` (a wildcard address is reached on loopback). */
export function localGatewayUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${isIPv6(reachable) ? `[${reachable}]` : reachable}:${port}`;
}

/** Polls the gateway's /readyz until it answers 200, or gives up after `timeoutMs`. */
export async function waitUntilReady(baseUrl: string, timeoutMs: number, stillWaiting: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillWaiting()) {
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}
