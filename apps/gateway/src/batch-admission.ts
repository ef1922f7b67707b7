import {
  type AdmitBatchReply,
  admitBatchScript,
  eventsStreamKey,
  runScript,
  seenKey,
  shardOf,
} from '@ddup/redis-keys';
import type { PinnedSender, RedisCommands } from '@ddup/runtime';
import { type AdmissionSettings, confirmReplicated } from './admission.ts';
import type { HashedEvent } from './batch-item.ts';
import type { AdmittedResult } from './batch-results.ts';

/** Admits valid events of one batch; resolves to one result per event, in order. */
export type AdmitBatch = (events: readonly HashedEvent[]) => Promise<AdmittedResult[]>;

/** What became of one event of a batch: its result, or the error that left it without one. */
export type BatchOutcome = AdmittedResult | { readonly status: 'failed'; readonly error: unknown };

/** Admits valid events of one batch and answers per event, in order: one shard's failure leaves the others standing. */
export type AdmitBatchPerEvent = (events: readonly HashedEvent[]) => Promise<BatchOutcome[]>;

/** One shard's part of a batch: the script call's keys and arguments, and where its events came from. */
interface ShardCall {
  readonly keys: string[];
  readonly args: string[];
  readonly indices: number[];
}

/** `1, <id>` or `0, <state>` for each of the call's events, into `results`. */
function collect(call: ShardCall, reply: AdmitBatchReply, events: readonly HashedEvent[], results: BatchOutcome[]): void {
  if (!Array.isArray(reply) || reply.length !== 2 * call.indices.length) {
    throw new Error(`${admitBatchScript.name}: expected ${2 * call.indices.length} reply elements`);
  }
  for (let k = 0; k < call.indices.length; k++) {
    const index = call.indices[k] ?? 0;
    const hash = events[index]?.hash ?? '';
    const code = reply[2 * k];
    const value = String(reply[2 * k + 1]);
    results[index] = code === 1 ? { status: 'accepted', id: value, hash } : { status: 'duplicate', hash, state: value };
  }
}

/**
 * Batch admission: the events are grouped by shard and each shard's group is admitted by one call of
 * `admit-batch-var.lua` (all its keys carry the shard's hash tag, so the call works on Redis Cluster);
 * the calls go out together, so a single node sees one round trip. An event whose hash repeats an
 * earlier one of the batch is not sent again: it is a duplicate of that one (state `pending` when that
 * one was accepted, else its state). Any failed call fails the whole batch (503): the other calls may
 * have stored their events, which a retry then gets back as duplicates. With `waitForReplicas`, the
 * calls go over connections pinned to their shard's master and, once all are answered, one WAIT per
 * connection that stored something (one on a single node) vouches for them, as for a single event.
 */
export function createBatchAdmitter(redis: RedisCommands, settings: AdmissionSettings): AdmitBatch {
  const admit = createPerEventBatchAdmitter(redis, settings);
  return async function admitBatch(events) {
    const results: AdmittedResult[] = [];
    for (const outcome of await admit(events)) {
      if (outcome.status === 'failed') throw outcome.error;
      results.push(outcome);
    }
    return results;
  };
}

/**
 * As createBatchAdmitter, but each event gets its own outcome: the events of a shard whose call
 * failed get that call's error, the accepted events of a connection whose WAIT failed get that
 * error, and everything else its result (a duplicate needs no WAIT). A repeat within the batch
 * shares its first's fate before any WAIT, as it would one call later.
 */
export function createPerEventBatchAdmitter(redis: RedisCommands, settings: AdmissionSettings): AdmitBatchPerEvent {
  const windowSeconds = String(settings.windowSeconds);
  const wait = settings.waitForReplicas;
  return async function admitBatchPerEvent(events) {
    const outcomes = new Array<BatchOutcome>(events.length);
    const calls = new Map<number, ShardCall>();
    const firstOf = new Map<string, number>();
    const repeats: number[] = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event === undefined) continue;
      if (firstOf.has(event.hash)) {
        repeats.push(i);
        continue;
      }
      firstOf.set(event.hash, i);
      const shard = shardOf(event.hash, settings.shardCount);
      let call = calls.get(shard);
      if (call === undefined) {
        call = { keys: [eventsStreamKey(shard)], args: [windowSeconds], indices: [] };
        calls.set(shard, call);
      }
      call.keys.push(seenKey(shard, event.hash));
      call.args.push(event.hash, event.canonical);
      call.indices.push(i);
    }

    // Per pinned connection: what it stored, which one WAIT on it must vouch for.
    const toConfirm = new Map<object, { readonly pinned: PinnedSender; readonly accepted: number[] }>();
    await Promise.all(
      Array.from(calls.values(), async (call) => {
        try {
          const script = admitBatchScript.withKeyCount(call.keys.length);
          const pinned = wait ? await redis.pinnedTo(call.keys[0] ?? '') : undefined;
          const reply = await runScript<AdmitBatchReply>(pinned ?? redis, script, call.keys, call.args);
          collect(call, reply, events, outcomes);
          const accepted = call.indices.filter((i) => outcomes[i]?.status === 'accepted');
          if (pinned && accepted.length > 0) {
            const stored = toConfirm.get(pinned.connection);
            if (stored) stored.accepted.push(...accepted);
            else toConfirm.set(pinned.connection, { pinned, accepted });
          }
        } catch (error) {
          for (const i of call.indices) outcomes[i] = { status: 'failed', error };
        }
      }),
    );

    for (const i of repeats) {
      const hash = events[i]?.hash ?? '';
      const first = outcomes[firstOf.get(hash) ?? i];
      outcomes[i] =
        first?.status === 'failed' ? first : { status: 'duplicate', hash, state: first?.status === 'duplicate' ? first.state : 'pending' };
    }
    if (wait) {
      await Promise.all(
        Array.from(toConfirm.values(), ({ pinned, accepted }) =>
          confirmReplicated(pinned, wait).catch((error: unknown) => {
            for (const i of accepted) outcomes[i] = { status: 'failed', error };
          }),
        ),
      );
    }
    return outcomes;
  };
}
