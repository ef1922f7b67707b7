import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export type ServiceName = 'gateway' | 'consumer';

const ENTRY_POINTS: Record<ServiceName, string> = {
  gateway: fileURLToPath(new URL('../../gateway/src/main.ts', import.meta.url)),
  consumer: fileURLToPath(new URL('../../consumer/src/main.ts', import.meta.url)),
};
const GATEWAY_BUN_ENTRY = fileURLToPath(new URL('../../gateway/src/main-bun.ts', import.meta.url));

/** How a service is started: an executable and its arguments. */
export interface ChildCommand {
  readonly bin: string;
  readonly args: readonly string[];
}

/** A service under Node with tsx; the gateway under Bun instead when `bunBin` is given (GATEWAY_RUNTIME=bun). */
export function serviceCommand(name: ServiceName, bunBin?: string): ChildCommand {
  if (name === 'gateway' && bunBin !== undefined) return { bin: bunBin, args: [GATEWAY_BUN_ENTRY] };
  return { bin: process.execPath, args: ['--import', tsxLoader, ENTRY_POINTS[name]] };
}

/** The exit status by which gateway and consumer say they must not be restarted as they are: a setting or the data's layout is wrong (they printed why). */
export const CONFIGURATION_EXIT_CODE = 2;

export interface Child {
  readonly name: ServiceName;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process has gone. */
  readonly exited: Promise<number | string>;
}

/**
 * Runs a ddup service (see serviceCommand), sharing this terminal's output. It gets a process
 * group of its own so that Ctrl-C reaches only the launcher, which then stops things in order.
 */
export function startChild(name: ServiceName, command: ChildCommand, env: NodeJS.ProcessEnv): Child {
  const child = spawn(command.bin, command.args, {
    env,
    // The IPC channel is a lifeline: the child stops if this launcher dies without stopping it.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { name, process: child, exited };
}

export function isRunning(child: Child): boolean {
  return child.process.exitCode === null && child.process.signalCode === null;
}

/** SIGTERM and wait; SIGKILL if it has not gone after `timeoutMs`. */
export async function stopChild(child: Child, timeoutMs: number): Promise<number | string> {
  if (isRunning(child)) child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}
