import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Bun's npm package ships the real executable in a platform package (`@oven/bun-linux-x64`, ...,
 * one of its optionalDependencies); its own `bin/bun.exe` is a small shell placeholder until its
 * postinstall script replaces it with the binary, which it *moves* out of the platform package.
 * pnpm 10 runs that script only when the root package.json allows it
 * (`pnpm.onlyBuiltDependencies`), so the binary is in one place or the other: look in both.
 */
const PLACEHOLDER_MAX_BYTES = 64 * 1024;

/** Names of the platform packages that can hold the binary on this machine, best first. */
function platformPackages(): string[] {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'arm64' ? 'aarch64' : process.arch;
  const base = `@oven/bun-${os}-${arch}`;
  // pnpm installs only the variant whose os, cpu and libc match, so at most one of these exists.
  return [base, `${base}-musl`, `${base}-baseline`, `${base}-musl-baseline`, `${base}-android`];
}

function isExecutableBinary(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).size > PLACEHOLDER_MAX_BYTES;
  } catch {
    return false;
  }
}

/**
 * The path of the Bun executable installed from npm (the `bun` package, a devDependency of
 * @ddup/gateway), as the package holding `from` (a file URL or path inside it) resolves it; or
 * undefined when it is not installed (or not for this platform). Node code: used by the launcher
 * (GATEWAY_RUNTIME=bun), the gateway's tests and the bench to start `main-bun.ts`.
 */
export function findBunBinary(from: string | URL): string | undefined {
  let bunManifest: string;
  try {
    bunManifest = createRequire(from).resolve('bun/package.json');
  } catch {
    return undefined;
  }
  const exe = process.platform === 'win32' ? 'bun.exe' : 'bun';
  // The postinstall script, when it ran, put the right variant here (it also picks the
  // "baseline" build for CPUs without AVX2).
  const linked = join(dirname(bunManifest), 'bin', 'bun.exe');
  if (isExecutableBinary(linked)) return linked;
  // Platform packages are dependencies of `bun`, so they resolve from its own directory.
  const fromBun = createRequire(bunManifest);
  for (const name of platformPackages()) {
    let manifest: string;
    try {
      manifest = fromBun.resolve(`${name}/package.json`);
    } catch {
      continue;
    }
    const binary = join(dirname(manifest), 'bin', exe);
    if (isExecutableBinary(binary)) return binary;
  }
  return undefined;
}
