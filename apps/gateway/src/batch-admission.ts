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

/**
 * One result per event, and with `waitForReplicas` the reason the accepted ones are not vouched for
 * (WAIT short of replicas, failed, or on a changed connection); duplicates never need a WAIT.
 */
export interface BatchAdmission {
  readonly results: AdmittedResult[];
  readonly unreplicated?: unknown;
}

export type AdmitBatchWithReplication = (events: readonly HashedEvent[]) => Promise<BatchAdmission>;

/** One shard's part of a batch: the script call's keys and arguments, and where its events came from. */
interface ShardCall {
  readonly keys: string[];
  readonly args: string[];
  readonly indices: number[];
}

/** `1, <id>` or `0, <state>` for each of the call's events, into `results`. */
function collect(call: ShardCall, reply: AdmitBatchReply, events: readonly HashedEvent[], results: AdmittedResult[]): void {
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
  const admit = createReplicationAwareBatchAdmitter(redis, settings);
  return async function admitBatch(events) {
    const { results, unreplicated } = await admit(events);
    if (unreplicated !== undefined) throw unreplicated;
    return results;
  };
}

/** As createBatchAdmitter, but a failed WAIT comes back beside the results instead of failing them all. */
export function createReplicationAwareBatchAdmitter(redis: RedisCommands, settings: AdmissionSettings): AdmitBatchWithReplication {
  const windowSeconds = String(settings.windowSeconds);
  const wait = settings.waitForReplicas;
  return async function admitBatchWithReplication(events) {
    const results = new Array<AdmittedResult>(events.length);
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

    const toConfirm = new Map<object, PinnedSender>();
    await Promise.all(
      Array.from(calls.values(), async (call) => {
        const script = admitBatchScript.withKeyCount(call.keys.length);
        const pinned = wait ? await redis.pinnedTo(call.keys[0] ?? '') : undefined;
        const reply = await runScript<AdmitBatchReply>(pinned ?? redis, script, call.keys, call.args);
        collect(call, reply, events, results);
        if (pinned && reply.includes(1)) toConfirm.set(pinned.connection, pinned);
      }),
    );
    let unreplicated: unknown;
    if (wait) {
      await Promise.all(Array.from(toConfirm.values(), (pinned) => confirmReplicated(pinned, wait))).catch((error: unknown) => {
        unreplicated = error;
      });
    }

    for (const i of repeats) {
      const hash = events[i]?.hash ?? '';
      const first = results[firstOf.get(hash) ?? i];
      results[i] = { status: 'duplicate', hash, state: first?.status === 'duplicate' ? first.state : 'pending' };
    }
    return unreplicated === undefined ? { results } : { results, unreplicated };
  };
}
