import {
  type AdmitReply,
  type RedisCommandSender,
  admitScript,
  eventsStreamKey,
  runScript,
  seenKey,
  shardOf,
} from '@ddup/redis-keys';

/** What happened to one event at the door. */
export type Admission =
  | { readonly outcome: 'accepted'; readonly id: string; readonly hash: string }
  | { readonly outcome: 'duplicate'; readonly hash: string; readonly state: string };

export interface AdmissionSettings {
  readonly windowSeconds: number;
  readonly shardCount: number;
}

export type AdmitEvent = (hash: string, canonical: string) => Promise<Admission>;

/**
 * Admission in one round trip: the admit script checks the seen key, appends to the shard's
 * stream and creates the seen key atomically, so identical requests racing get one 202.
 */
export function createEventAdmitter(redis: RedisCommandSender, settings: AdmissionSettings): AdmitEvent {
  const windowSeconds = String(settings.windowSeconds);
  return async function admitEvent(hash, canonical) {
    const shard = shardOf(hash, settings.shardCount);
    const [code, value] = await runScript<AdmitReply>(
      redis,
      admitScript,
      [seenKey(shard, hash), eventsStreamKey(shard)],
      [windowSeconds, hash, canonical],
    );
    return code === 1 ? { outcome: 'accepted', id: value, hash } : { outcome: 'duplicate', hash, state: value };
  };
}
