import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Runtime } from './runtimes.ts';

/** The gateway's Bun entry point and the module that finds the Bun executable (apps/gateway). */
export const GATEWAY_BUN_ENTRY = fileURLToPath(new URL('../../../../apps/gateway/src/main-bun.ts', import.meta.url));
const BUN_BINARY_MODULE = fileURLToPath(new URL('../../../../apps/gateway/src/bun-binary.ts', import.meta.url));

export type BunDetection = { readonly available: true; readonly runtime: Runtime } | { readonly available: false; readonly reason: string };

function hasFindBunBinary(module: unknown): module is { findBunBinary: () => unknown } {
  return typeof module === 'object' && module !== null && typeof Reflect.get(module, 'findBunBinary') === 'function';
}

/**
 * Bun, when the gateway has a Bun entry point and apps/gateway/src/bun-binary.ts finds the
 * executable; else why not. Loaded by path at run time, so the benchmark neither needs those files
 * to type-check nor fails without them.
 */
export async function detectBun(): Promise<BunDetection> {
  if (!existsSync(GATEWAY_BUN_ENTRY)) return { available: false, reason: 'apps/gateway/src/main-bun.ts is missing' };
  if (!existsSync(BUN_BINARY_MODULE)) return { available: false, reason: 'apps/gateway/src/bun-binary.ts is missing' };
  let bin: unknown;
  try {
    const module: unknown = await import(pathToFileURL(BUN_BINARY_MODULE).href);
    if (!hasFindBunBinary(module)) return { available: false, reason: 'bun-binary.ts exports no findBunBinary()' };
    bin = await module.findBunBinary();
  } catch (error) {
    return { available: false, reason: `findBunBinary() failed: ${String(error)}` };
  }
  if (typeof bin !== 'string' || bin === '') return { available: false, reason: 'no Bun executable found' };
  try {
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    return { available: true, runtime: { name: 'bun', version, bin } };
  } catch (error) {
    return { available: false, reason: `${bin} --version failed: ${String(error)}` };
  }
}
