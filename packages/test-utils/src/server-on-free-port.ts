import { freePort } from '@ddup/redis-process';
import { startProcess } from './service-process.ts';

/** A server process a test started on a free port. */
export interface ServerOnFreePort {
  readonly port: number;
  readonly pid: number;
  /** Sends the stop signal (SIGKILL after 5 s), then cleans up. Idempotent. */
  stop(): Promise<void>;
}

export interface ServerOnFreePortOptions {
  readonly command: string;
  readonly args: (port: number) => string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly user?: { uid: number; gid: number };
  /** Output that says it is ready. */
  readonly ready: RegExp;
  /** Output that says someone took the port between freePort() and the bind: try another. */
  readonly portTaken: RegExp;
  /** Its graceful stop signal. */
  readonly stopSignal: NodeJS.Signals;
  /** Called once the process is gone, or when it could not be started (removes its directory). */
  readonly cleanUp: () => void;
}

export async function startServerOnFreePort(options: ServerOnFreePortOptions): Promise<ServerOnFreePort> {
  for (let tries = 1; ; tries += 1) {
    const port = await freePort();
    const server = startProcess(options.command, options.args(port), {
      env: options.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.user ? { user: options.user } : {}),
    });
    try {
      await server.waitForOutput(options.ready, 20_000);
    } catch (error) {
      await server.stop('SIGKILL');
      if (tries < 3 && options.portTaken.test(server.output())) continue;
      options.cleanUp();
      throw error;
    }
    let stopped: Promise<void> | undefined;
    return {
      port,
      pid: server.pid,
      stop() {
        stopped ??= (async () => {
          const timer = setTimeout(() => void server.stop('SIGKILL'), 5000);
          await server.stop(options.stopSignal);
          clearTimeout(timer);
          options.cleanUp();
        })();
        return stopped;
      },
    };
  }
}
