import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@ddup/redis-process';
import type { RunningProcess } from './command-process.ts';
import { type LaunchOptions, launchEntry } from './launch.ts';
import type { Runtime } from './runtimes.ts';

/** An HTTP server process of the benchmark (the gateway, the baseline), listening on 127.0.0.1. */
export interface HttpService {
  readonly baseUrl: string;
  readonly process: RunningProcess;
  /** SIGTERM and wait for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts `entry` on a free port (PORT, HOST=127.0.0.1 in its environment) and resolves once
 * GET /readyz answers 200; on failure, kills it and throws with its output.
 */
export async function startHttpService(
  runtime: Runtime,
  entry: string,
  env: Record<string, string>,
  options: LaunchOptions & { readonly timeoutMs?: number } = {},
): Promise<HttpService> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = launchEntry(runtime, entry, { ...env, PORT: String(port), HOST: '127.0.0.1' }, options);
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await isReady(`${baseUrl}/readyz`))) {
    if (exited || Date.now() > deadline) {
      await child.stop('SIGKILL');
      throw new Error(`${entry} (${runtime.name}) did not become ready on ${baseUrl}; output:\n${child.output()}`);
    }
    await sleep(100);
  }
  return { baseUrl, process: child, stop: () => child.stop('SIGTERM') };
}
