import {
  type AdmitReply,
  admitScript,
  eventsStreamKey,
  runScript,
  seenKey,
  shardOf,
} from '@ddup/redis-keys';
import type { PinnedSender, RedisCommands } from '@ddup/runtime';
import type { AdmittedResult } from './batch-results.ts';

/** What happened to one event at the door. */
export type Admission =
  | { readonly outcome: 'accepted'; readonly id: string; readonly hash: string }
  | { readonly outcome: 'duplicate'; readonly hash: string; readonly state: string };

export interface AdmissionSettings {
  readonly windowSeconds: number;
  readonly shardCount: number;
  /** When set, a 202 also waits for this many replicas to have the admission (WAIT). */
  readonly waitForReplicas?: { readonly replicas: number; readonly timeoutMs: number };
}

/** The admission was stored on the primary but not acknowledged by enough replicas in time. */
export class ReplicationTimeoutError extends Error {
  override readonly name = 'ReplicationTimeoutError';
  constructor(readonly acknowledged: number, readonly required: number) {
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

/** A batch item's result as the single-event route answers it. */
export function admissionOf(result: AdmittedResult): Admission {
  return result.status === 'accepted'
    ? { outcome: 'accepted', id: result.id, hash: result.hash }
    : { outcome: 'duplicate', hash: result.hash, state: result.state };
}

/**
 * Admission in one round trip: the admit script checks the seen key, appends to the shard's
 * stream and creates the seen key atomically, so identical requests racing get one 202.
 */
export function createEventAdmitter(redis: RedisCommands, settings: AdmissionSettings): AdmitEvent {
  const windowSeconds = String(settings.windowSeconds);
  const wait = settings.waitForReplicas;
  return async function admitEvent(hash, canonical) {
    const shard = shardOf(hash, settings.shardCount);
    const stream = eventsStreamKey(shard);
    // With WAIT, script and WAIT go over one pinned connection: WAIT only covers writes sent before it on its own.
    const pinned = wait ? await redis.pinnedTo(stream) : undefined;
    const [code, value] = await runScript<AdmitReply>(pinned ?? redis, admitScript, [seenKey(shard, hash), stream], [windowSeconds, hash, canonical]);
    if (code === 0) return { outcome: 'duplicate', hash, state: value };
    if (wait && pinned) await confirmReplicated(pinned, wait);
    return { outcome: 'accepted', id: value, hash };
  };
}
