import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLauncherPort, waitUntilReady } from '@ddup/test-utils';
import { type RunningProcess, startCommand } from '../processes/command-process.ts';
import { type Role, processesBelow } from './process-tree.ts';

/** `pnpm start` of one tree, as a user runs it: the launcher with its embedded Redis, gateway and consumer. */
export interface LaunchedDdup {
  readonly url: string;
  readonly launcher: RunningProcess;
  /** The launcher's processes by role, as they run now. */
  processes(): Map<Role, number[]>;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx apps/ddup/src/main.ts` in `root` (its own tsx and dependencies) with a
 * fresh data directory on a free port, and waits until the gateway is ready. `env` adds settings
 * (GATEWAY_PROCESSES, GATEWAY_RUNTIME…); logging is at warn so that it costs nothing measurable.
 */
export async function launchDdup(root: string, env: Record<string, string> = {}): Promise<LaunchedDdup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ddup-compare-data-'));
  const port = await freeLauncherPort();
  const launcher = startCommand(
    process.execPath,
    ['--import', 'tsx', join(root, 'apps/ddup/src/main.ts')],
    {
      PORT: String(port),
      DDUP_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    { cwd: root },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, 60_000, () => `launcher output:\n${launcher.output().slice(-2000)}`);
  } catch (error) {
    await launcher.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    launcher,
    processes: () => processesBelow(launcher.pid),
    async stop() {
      await launcher.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
