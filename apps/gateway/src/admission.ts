import {
  type AdmitReply,
  admitScript,
  eventsStreamKey,
  runScript,
  seenKey,
  shardOf,
} from '@ddup/redis-keys';
import type { RedisCommands } from '@ddup/runtime';

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

export type AdmitEvent = (hash: string, canonical: string) => Promise<Admission>;

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
    const [code, value] = await runScript<AdmitReply>(
      redis,
      admitScript,
      [seenKey(shard, hash), stream],
      [windowSeconds, hash, canonical],
    );
    if (code === 0) return { outcome: 'duplicate', hash, state: value };
    if (wait) {
      // WAIT covers every write sent before it on this connection, this admission included.
      const acknowledged = await redis.waitForReplicas([stream], wait.replicas, wait.timeoutMs);
      if (acknowledged < wait.replicas) throw new ReplicationTimeoutError(acknowledged, wait.replicas);
    }
    return { outcome: 'accepted', id: value, hash };
  };
}
