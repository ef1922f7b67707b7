import { shardOf } from '@ddup/redis-keys';
import type { AdmitEvent, Admission } from './admission.ts';
import type { AdmitBatch } from './batch-admission.ts';
import type { HashedEvent } from './batch-item.ts';

export interface CoalescingSettings {
  readonly shardCount: number;
  /** Most events one turn gathers; more are sent at once and the next ones start a new gathering. */
  readonly maxEvents: number;
}

interface Waiting {
  readonly event: HashedEvent;
  resolve(admission: Admission): void;
  reject(error: unknown): void;
}

/**
 * Single-event admission that gathers the events of every request handled in one turn of the event
 * loop and admits them together through `admitBatch`: one script call per shard instead of one per
 * event. Redis runs the same commands per event, in arrival order, and an event repeated within the
 * turn is a duplicate of the first (so racing identical requests still get exactly one 202); a
 * failed call fails every request it carried, each with the error it would have had alone.
 * Under load this roughly halves the Redis client's work per event in the gateway and trims
 * Redis's own; alone, a request waits for the end of its turn, not for others.
 */
export function createCoalescingAdmitter(admitBatch: AdmitBatch, settings: CoalescingSettings): AdmitEvent {
  let waiting: Waiting[] = [];

  // One call per shard, so that a shard whose Redis fails (a cluster master away) fails only its own requests.
  function admitShard(group: readonly Waiting[]): void {
    admitBatch(group.map((entry) => entry.event)).then(
      (results) => {
        group.forEach((entry, index) => {
          const result = results[index];
          if (result === undefined) entry.reject(new Error('batch admission returned fewer results than events'));
          else if (result.status === 'accepted') entry.resolve({ outcome: 'accepted', id: result.id, hash: result.hash });
          else entry.resolve({ outcome: 'duplicate', hash: result.hash, state: result.state });
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
    return new Promise<Admission>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ event: { hash, canonical }, resolve, reject });
      if (waiting.length >= settings.maxEvents) flush();
    });
  };
}
