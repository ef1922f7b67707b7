import { LayoutMismatchError, type RedisCommandSender, type Store, checkLayout } from '@ddup/store';
import type { OnRefused } from './refusal.ts';

/**
 * Checks the shard count and index layout at every (re)connection (the server may have been
 * replaced by one with other data) and reports a mismatch to `onRefused`, since the process would
 * look for remembered events in the wrong place. A check that fails for another reason is left to
 * the next connection.
 */
export async function refuseOnLayoutMismatch(redis: RedisCommandSender, store: Store, onRefused: OnRefused): Promise<void> {
  try {
    await checkLayout(redis, store.layout, store.settings.indexCapacity);
  } catch (error) {
    if (error instanceof LayoutMismatchError) onRefused({ reason: 'layout_mismatch', detail: error.message });
  }
}
