import { shardOf } from '@ddup/redis-keys';
import type { AdmitEvent, Admission } from './admission.ts';
import type { AdmitBatchWithReplication } from './batch-admission.ts';
import type { HashedEvent } from './batch-item.ts';

export interface CoalescingSettings {
  readonly shardCount: number;
  /** Most events one call carries; at this count the gathering is sent at once and a new one starts. */
  readonly maxEvents: number;
  /** Most canonical characters one call carries (the client builds each command as one string). */
  readonly maxChars: number;
}

/** Events bigger than this go alone through the per-event script: they gain nothing from company. */
export const COALESCE_MAX_EVENT_CHARS = 64 * 1024;

/** The most canonical characters gathered into one call (16 events at the per-event limit). */
export const COALESCE_MAX_CALL_CHARS = 1024 * 1024;

interface Waiting {
  readonly event: HashedEvent;
  resolve(admission: Admission): void;
  reject(error: unknown): void;
}

/**
 * Single-event admission that gathers the events of the requests handled in one turn of the event
 * loop and admits each shard's share with one batch-script call instead of one call per event.
 * Redis runs the same check-then-store per event, in arrival order, so each event is still admitted
 * atomically and a repeat within the turn is a duplicate of the first. Each request gets what it
 * would get alone: a failed call (a cluster master away, a timeout) fails only the requests of its
 * shard's call, and under `DURABILITY=wait` a failed WAIT fails only the accepted events, never a
 * duplicate. Events over COALESCE_MAX_EVENT_CHARS are admitted alone by `admitAlone`.
 */
export function createCoalescingAdmitter(admitBatch: AdmitBatchWithReplication, admitAlone: AdmitEvent, settings: CoalescingSettings): AdmitEvent {
  let waiting: Waiting[] = [];
  let waitingChars = 0;

  function admitShard(group: readonly Waiting[]): void {
    admitBatch(group.map((entry) => entry.event)).then(
      ({ results, unreplicated }) => {
        group.forEach((entry, index) => {
          const result = results[index];
          if (result === undefined) entry.reject(new Error('batch admission returned fewer results than events'));
          else if (result.status === 'duplicate') entry.resolve({ outcome: 'duplicate', hash: result.hash, state: result.state });
          else if (unreplicated !== undefined) entry.reject(unreplicated);
          else entry.resolve({ outcome: 'accepted', id: result.id, hash: result.hash });
        });
      },
      (error: unknown) => {
        for (const entry of group) entry.reject(error);
      },
    );
  }

  function flush(): void {
    const taken = waiting;
    waiting = [];
    waitingChars = 0;
    const byShard = new Map<number, Waiting[]>();
    for (const entry of taken) {
      const shard = shardOf(entry.event.hash, settings.shardCount);
      const group = byShard.get(shard);
      if (group) group.push(entry);
      else byShard.set(shard, [entry]);
    }
    for (const group of byShard.values()) admitShard(group);
  }

  return function admitEvent(hash, canonical) {
    if (canonical.length > COALESCE_MAX_EVENT_CHARS) return admitAlone(hash, canonical);
    return new Promise<Admission>((resolve, reject) => {
      if (waiting.length > 0 && waitingChars + canonical.length > settings.maxChars) flush();
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ event: { hash, canonical }, resolve, reject });
      waitingChars += canonical.length;
      if (waiting.length >= settings.maxEvents) flush();
    });
  };
}
