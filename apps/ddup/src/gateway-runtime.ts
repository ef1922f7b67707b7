import { findBunBinary, findExecutable, resolveExecutable } from '@ddup/redis-process';
import type { LauncherConfig } from './env.ts';

/** GATEWAY_RUNTIME=bun, but no Bun to run the gateway with. */
export class BunMissingError extends Error {
  override readonly name = 'BunMissingError';
}

/**
 * The Bun executable the gateway runs on (GATEWAY_RUNTIME=bun): BUN_BIN, else `bun` on PATH, else
 * the one installed from npm with the gateway (its devDependency); undefined for Node.
 */
export function gatewayBunBinary(config: Pick<LauncherConfig, 'GATEWAY_RUNTIME' | 'BUN_BIN' | 'PATH'>): string | undefined {
  if (config.GATEWAY_RUNTIME !== 'bun') return undefined;
  if (config.BUN_BIN !== undefined) return resolveExecutable(config.BUN_BIN, config.PATH);
  const found = findExecutable('bun', config.PATH) ?? findBunBinary(new URL('../../gateway/package.json', import.meta.url));
  if (found === undefined) {
    throw new BunMissingError(
      'GATEWAY_RUNTIME=bun, but no bun was found (BUN_BIN unset, none on PATH, none installed with the gateway): ' +
        'install it (`npm install -g bun`, or `npx -y pnpm@10.34.9 install` with dev dependencies) or set BUN_BIN',
    );
  }
  return found;
}
