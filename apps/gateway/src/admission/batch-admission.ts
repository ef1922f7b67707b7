import type { AdmitResult, EventToAdmit, Store } from '@ddup/store';
import type { PinnedSender, RedisCommands } from '@ddup/runtime';
import type { HashedEvent } from '../validation/hash-event.ts';
import { type AdmittedResult, admittedResultOf } from './admitted-result.ts';
import { type AdmissionSettings, confirmReplicated } from './replication.ts';

/** Admits valid events of one batch; resolves to one result per event, in order. */
export type AdmitBatch = (events: readonly HashedEvent[]) => Promise<AdmittedResult[]>;

/** The start of the second of a stream entry id: the first-seen time the index keeps for it. */
function secondStartOf(id: string): number {
  const ms = Number(id.split('-')[0]);
  return ms - (ms % 1_000);
}

/** One shard's part of a batch: its events and where in the batch they came from. */
interface ShardCall {
  readonly shard: number;
  readonly events: EventToAdmit[];
  readonly indices: number[];
}

/**
 * Batch admission: the events are grouped by shard and each shard's group is admitted by one call
 * of the store's batch script (all its keys carry the shard's hash tag, so the call works on Redis
 * Cluster); the calls go out together, so a single node sees one round trip. An event whose hash
 * repeats an earlier one of the batch is not sent again: it is a duplicate of that one (state
 * `pending` when that one was accepted, else its state and first-seen time). Any failed call fails
 * the whole batch (503): the other calls may have stored their events, which a retry then gets back
 * as duplicates. With `waitForReplicas`, the calls go over connections pinned to their shard's
 * master and, once all are answered, one WAIT per connection that stored something (one on a single
 * node) vouches for them, as for a single event.
 */
export function createBatchAdmitter(redis: RedisCommands, store: Store, settings: AdmissionSettings): AdmitBatch {
  const wait = settings.waitForReplicas;
  return async function admitBatch(events) {
    const admitted = new Array<AdmitResult>(events.length);
    const calls = new Map<number, ShardCall>();
    const firstOf = new Map<string, number>();
    const repeats: number[] = [];
    events.forEach((event, i) => {
      if (firstOf.has(event.hash)) {
        repeats.push(i);
        return;
      }
      firstOf.set(event.hash, i);
      const shard = store.shardOf(event.hash);
      let call = calls.get(shard);
      if (call === undefined) {
        call = { shard, events: [], indices: [] };
        calls.set(shard, call);
      }
      call.events.push(event);
      call.indices.push(i);
    });

    // Per pinned connection that stored something: one WAIT on it must vouch for it.
    const toConfirm = new Map<object, PinnedSender>();
    await Promise.all(
      Array.from(calls.values(), async (call) => {
        const first = call.events[0];
        const pinned = wait && first ? await redis.pinnedTo(store.bucketKeyOf(first.hash)) : undefined;
        const results = await store.admitShardBatch(pinned ?? redis, call.shard, call.events);
        results.forEach((result, k) => {
          admitted[call.indices[k] ?? 0] = result;
        });
        if (pinned && results.some((result) => result.outcome === 'accepted')) toConfirm.set(pinned.connection, pinned);
      }),
    );
    for (const i of repeats) {
      const hash = events[i]?.hash ?? '';
      const first = admitted[firstOf.get(hash) ?? i];
      admitted[i] =
        first?.outcome === 'duplicate' ? first : { outcome: 'duplicate', hash, state: 'pending', firstSeenMs: first ? secondStartOf(first.id) : undefined };
    }
    if (wait) await Promise.all(Array.from(toConfirm.values(), (pinned) => confirmReplicated(pinned, wait)));
    return admitted.map(admittedResultOf);
  };
}
