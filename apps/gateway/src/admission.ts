import type { AdmitResult, Store } from '@ddup/store';
import type { PinnedSender, RedisCommands } from '@ddup/runtime';

/** What happened to one event at the door. */
export type Admission = AdmitResult;

export interface AdmissionSettings {
  /** When set, a 202 also waits for this many replicas to have the admission (WAIT). */
  readonly waitForReplicas?: { readonly replicas: number; readonly timeoutMs: number };
}

/** The admission was stored on the primary but not acknowledged by enough replicas in time. */
export class ReplicationTimeoutError extends Error {
  override readonly name = 'ReplicationTimeoutError';
  constructor(
    readonly acknowledged: number,
    readonly required: number,
  ) {
    super(`only ${acknowledged} of ${required} replicas acknowledged the admission in time`);
  }
}

/** The connection changed between the admission and its WAIT, so its replication is unknown. */
export class ReplicationUnconfirmedError extends Error {
  override readonly name = 'ReplicationUnconfirmedError';
  constructor() {
    super('the connection to Redis changed before the admission was confirmed on a replica');
  }
}

/**
 * WAIT on `pinned` (the connection the write went over) and check that it vouches for the write:
 * enough replicas, and the same connection throughout.
 */
export async function confirmReplicated(pinned: PinnedSender, wait: NonNullable<AdmissionSettings['waitForReplicas']>): Promise<void> {
  const acknowledged = await pinned.sendCommand<number>(['WAIT', String(wait.replicas), String(wait.timeoutMs)]);
  if (!pinned.sameConnection()) throw new ReplicationUnconfirmedError();
  if (acknowledged < wait.replicas) throw new ReplicationTimeoutError(acknowledged, wait.replicas);
}

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
