import { type PinnedSender, RedisUnavailableError } from '@ddup/runtime';

export interface AdmissionSettings {
  /** When set, a 202 also waits for this many replicas to have the admission (WAIT). */
  readonly waitForReplicas?: { readonly replicas: number; readonly timeoutMs: number };
}

/** The admission was stored on the primary but not acknowledged by enough replicas in time. */
export class ReplicationTimeoutError extends RedisUnavailableError {
  override readonly name = 'ReplicationTimeoutError';
  constructor(
    readonly acknowledged: number,
    readonly required: number,
  ) {
    super(`only ${acknowledged} of ${required} replicas acknowledged the admission in time`);
  }
}

/** The connection changed between the admission and its WAIT, so its replication is unknown. */
export class ReplicationUnconfirmedError extends RedisUnavailableError {
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
