import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { startService } from '@ddup/test-utils';
import { type RunningProcess, startCommand } from './command-process.ts';
import type { Runtime } from './runtimes.ts';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface LaunchOptions {
  /** Node only: write a V8 CPU profile of the process into this directory when it exits. */
  readonly cpuProfileDir?: string | undefined;
}

/** Runs a TypeScript entry point: with Bun directly, with Node through tsx (as the services run). */
export function launchEntry(runtime: Runtime, entry: string, env: Record<string, string>, options: LaunchOptions = {}): RunningProcess {
  if (runtime.name === 'bun') return startCommand(runtime.bin, [entry], env);
  if (options.cpuProfileDir) {
    return startCommand(process.execPath, ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--import', tsxLoader, entry], env);
  }
  return startService(entry, env);
}
