import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findBunBinary } from '@ddup/test-utils';
import type { Runtime } from './runtimes.ts';

/** The gateway's Bun entry point (apps/gateway). */
export const GATEWAY_BUN_ENTRY = fileURLToPath(new URL('../../../../apps/gateway/src/main-bun.ts', import.meta.url));

export type BunDetection = { readonly available: true; readonly runtime: Runtime } | { readonly available: false; readonly reason: string };

/**
 * Bun, when the gateway has a Bun entry point and the `bun` package it depends on has the
 * executable (found as the gateway resolves it, with findBunBinary of @ddup/test-utils); else why not.
 */
export async function detectBun(): Promise<BunDetection> {
  if (!existsSync(GATEWAY_BUN_ENTRY)) return { available: false, reason: 'apps/gateway/src/main-bun.ts is missing' };
  let bin: string | undefined;
  try {
    bin = findBunBinary(GATEWAY_BUN_ENTRY);
  } catch (error) {
    return { available: false, reason: `findBunBinary() failed: ${String(error)}` };
  }
  if (bin === undefined || bin === '') return { available: false, reason: 'no Bun executable found' };
  try {
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    return { available: true, runtime: { name: 'bun', version, bin } };
  } catch (error) {
    return { available: false, reason: `${bin} --version failed: ${String(error)}` };
  }
}
