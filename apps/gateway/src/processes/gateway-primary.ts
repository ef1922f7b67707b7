import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@ddup/runtime';
import type { GatewayConfig } from '../env.ts';
import { relayFigureRequests } from './cluster-figures.ts';
import { isListeningMessage } from './worker-listening.ts';

/** The exit status by which a gateway says it must not be restarted as it is: a setting or the data's layout is wrong. */
const CONFIGURATION_EXIT_CODE = 2;
/** A worker that died is started again after this long… */
const RESTART_DELAY_MS = 500;
/** …unless this many died within RESTART_WINDOW_MS: then the whole gateway stops, for its supervisor to decide. */
const MAX_DEATHS = 5;
const RESTART_WINDOW_MS = 60_000;

export interface PrimarySettings {
  readonly processes: number;
  /** SHUTDOWN_TIMEOUT_MS: each worker's graceful stop; a worker still running this long after (plus 5 s) is killed. */
  readonly shutdownTimeoutMs: number;
}

/**
 * The gateway as several processes on one port (GATEWAY_PROCESSES > 1), with node:cluster: this
 * process holds the listening socket and hands each new connection to a worker in turn (Node's
 * round-robin), forks the workers (this same entry point), starts again one that dies, passes
 * SIGHUP on (each rereads TENANTS_FILE), stops them all on SIGINT or SIGTERM (each finishes its
 * requests, as a single gateway does), and relays the workers' requests for each other's figures
 * (cluster-figures.ts), so that /metrics and the dashboard show the whole gateway. It talks to no
 * Redis itself. Resolves with the status to exit with: 0 after a stop, 2 when a worker said a
 * setting or the data is wrong, else the status of a worker that died too often (or before any
 * worker could listen).
 */
export function runGatewayPrimary(settings: PrimarySettings, logger: Logger): Promise<number> {
  const workers = new Set<Worker>();
  const deaths: number[] = [];
  let listened = false;
  let stopping: Promise<void> | undefined;
  let resolveStatus: (status: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => {
    resolveStatus = resolve;
  });

  relayFigureRequests(() => workers);
  cluster.on('message', (_, message: unknown) => {
    if (!isListeningMessage(message)) return;
    if (!listened) logger.info('gateway processes listening', { processes: settings.processes });
    listened = true;
  });

  const fork = () => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      const exitCode = code ?? 1;
      logger.error('gateway process exited', { childPid: worker.process.pid, code, signal });
      const now = Date.now();
      deaths.push(now);
      while ((deaths[0] ?? now) < now - RESTART_WINDOW_MS) deaths.shift();
      if (exitCode === CONFIGURATION_EXIT_CODE || !listened || deaths.length >= MAX_DEATHS) {
        void stop(exitCode === 0 ? 1 : exitCode);
        return;
      }
      setTimeout(() => {
        if (!stopping) fork();
      }, RESTART_DELAY_MS).unref();
    });
  };

  const stop = (exitStatus: number): Promise<void> => {
    stopping ??= (async () => {
      const running = [...workers];
      const killer = setTimeout(() => {
        for (const worker of running) worker.process.kill('SIGKILL');
      }, settings.shutdownTimeoutMs + 5_000);
      await Promise.all(
        running.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
      clearTimeout(killer);
      resolveStatus(exitStatus);
    })();
    return stopping;
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) logger.info('shutting down', { signal, processes: workers.size });
      void stop(0);
    });
  }
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: passing it on to the gateway processes');
    for (const worker of workers) worker.process.kill('SIGHUP');
  });
  // Started by the launcher with an IPC channel: if the launcher dies, stop rather than live on.
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => void stop(0));
  }

  for (let i = 0; i < settings.processes; i++) fork();
  return status;
}

/**
 * For both entry points: with GATEWAY_PROCESSES > 1, the process started first only forks and
 * supervises the gateway processes (which run the same entry point as cluster workers) and
 * resolves with the status to exit with; undefined in a worker, or with one process: serve.
 */
export async function superviseIfPrimary(config: GatewayConfig, logger: Logger): Promise<number | undefined> {
  if (config.GATEWAY_PROCESSES <= 1 || !cluster.isPrimary) return undefined;
  return runGatewayPrimary({ processes: config.GATEWAY_PROCESSES, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS }, logger);
}
