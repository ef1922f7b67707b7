import type { AdmitResult, Store } from '@ddup/store';
import type { RedisCommands } from '@ddup/runtime';
import { type AdmissionSettings, confirmReplicated } from './replication.ts';

/** What happened to one event at the door. */
export type Admission = AdmitResult;

export type AdmitEvent = (hash: string, canonical: string) => Promise<Admission>;

/**
 * Admission in one round trip: the store's admit script checks the index, appends to the shard's
 * stream and records the event atomically, so identical requests racing get one 202.
 */
export function createEventAdmitter(redis: RedisCommands, store: Store, settings: AdmissionSettings): AdmitEvent {
  const wait = settings.waitForReplicas;
  return async function admitEvent(hash, canonical) {
    // With WAIT, script and WAIT go over one pinned connection: WAIT only covers writes sent before it on its own.
    const pinned = wait ? await redis.pinnedTo(store.bucketKeyOf(hash)) : undefined;
    const admission = await store.admit(pinned ?? redis, { hash, canonical });
    if (admission.outcome === 'accepted' && wait && pinned) await confirmReplicated(pinned, wait);
    return admission;
  };
}
