import { LayoutMismatchError, type RedisCommandSender, type Store, checkLayout } from '@ddup/store';
import type { Logger } from './log.ts';

/**
 * Checks the shard count and index layout at every (re)connection (the server may have been
 * replaced by one with other data) and stops the process with status 2 on a mismatch, since it
 * would look for remembered events in the wrong place. A check that fails for another reason is
 * left to the next connection.
 */
export async function stopOnLayoutMismatch(redis: RedisCommandSender, store: Store, logger: Logger): Promise<void> {
  try {
    await checkLayout(redis, store.layout, store.settings.indexCapacity);
  } catch (error) {
    if (!(error instanceof LayoutMismatchError)) return;
    logger.error(error.message);
    process.exit(2);
  }
}
