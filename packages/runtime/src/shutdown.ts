import type { Logger } from './log.ts';

/**
 * Runs `shutdown` once on the first SIGINT or SIGTERM and exits with 0 when it finishes (1 if it
 * throws). A second signal while shutting down exits at once, as users expect of a second Ctrl-C.
 * The loss of the parent's IPC channel (the launcher died) counts as SIGTERM.
 */
export function onShutdownSignal(logger: Logger, shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let shuttingDown = false;
  const handle = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn('second signal; exiting now', { signal });
      process.exit(130);
    }
    shuttingDown = true;
    logger.info('shutting down', { signal });
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  // Started by the launcher with an IPC channel: if the launcher dies (even by SIGKILL) the channel
  // closes, and this process stops cleanly instead of living on as an orphan holding its port.
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => {
      if (!shuttingDown) handle('SIGTERM');
    });
  }
}
