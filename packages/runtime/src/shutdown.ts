import type { Logger } from './log.ts';

/**
 * Runs `shutdown` once on the first SIGINT or SIGTERM and resolves with the status the process
 * should exit with: 0 when it finished, 1 if it threw, 130 at a second signal while it runs (as
 * users expect of a second Ctrl-C). The entry point exits with it. The loss of the parent's IPC
 * channel (the launcher died) counts as SIGTERM.
 */
export function exitStatusOnShutdown(logger: Logger, shutdown: (signal: NodeJS.Signals) => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let shuttingDown = false;
    const handle = (signal: NodeJS.Signals) => {
      if (shuttingDown) {
        logger.warn('second signal; exiting now', { signal });
        resolve(130);
        return;
      }
      shuttingDown = true;
      logger.info('shutting down', { signal });
      shutdown(signal).then(
        () => resolve(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          resolve(1);
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
  });
}
