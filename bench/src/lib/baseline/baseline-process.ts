import { fileURLToPath } from 'node:url';
import { type HttpService, startHttpService } from '../processes/http-service.ts';
import type { Runtime } from '../processes/runtimes.ts';

const ENTRIES = {
  node: fileURLToPath(new URL('./baseline-node.ts', import.meta.url)),
  bun: fileURLToPath(new URL('./baseline-bun.ts', import.meta.url)),
} as const;

/** Starts the baseline server on `runtime` (same runtime as the gateway it is compared with). */
export function startBaseline(runtime: Runtime, cpuProfileDir?: string): Promise<HttpService> {
  return startHttpService(runtime, ENTRIES[runtime.name], {}, { cpuProfileDir });
}
