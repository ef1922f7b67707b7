import type { AdmitResult, RedisCommandSender, Store } from '@ddup/store';
import type { PreparedAdmission } from './admissions.ts';

export interface PipelinedAdmission {
  readonly events: number;
  readonly admitted: number;
  readonly duplicates: number;
  readonly inFlight: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/**
 * Calls `send` for each item, `inFlight` at a time over one connection (node-redis writes them back
 * to back, so they travel pipelined); counts the admitted/duplicate codes `send` returns.
 */
async function runPipelined<T>(
  items: readonly T[],
  events: number,
  inFlight: number,
  send: (item: T) => Promise<readonly AdmitResult[]>,
): Promise<PipelinedAdmission> {
  let next = 0;
  let admitted = 0;
  let duplicates = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item === undefined) break;
      for (const result of await send(item)) {
        if (result.outcome === 'accepted') admitted++;
        else duplicates++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { events, admitted, duplicates, inFlight, seconds, eventsPerSecond: events / seconds };
}

/**
 * Runs the admission script (EVALSHA through the store, as the gateway does) once per prepared
 * event over one connection, keeping `inFlight` calls outstanding, as the gateway's concurrent
 * requests do.
 */
export function admitPipelined(
  redis: RedisCommandSender,
  store: Store,
  admissions: readonly PreparedAdmission[],
  inFlight: number,
): Promise<PipelinedAdmission> {
  return runPipelined(admissions, admissions.length, inFlight, async (admission) => [await store.admit(redis, admission)]);
}

/**
 * The batch route's own Redis work without HTTP: the prepared events in calls of `batchSize` to
 * `admit-batch-var.lua` (the one Lua loop the gateway runs per shard), `inFlight` calls outstanding
 * (the gateway's BATCH_ADMISSION_CONCURRENCY). All events must be of one shard.
 */
export async function admitBatchesPipelined(
  redis: RedisCommandSender,
  store: Store,
  admissions: readonly PreparedAdmission[],
  batchSize: number,
  inFlight: number,
): Promise<PipelinedAdmission> {
  const calls: PreparedAdmission[][] = [];
  for (let from = 0; from < admissions.length; from += batchSize) calls.push(admissions.slice(from, from + batchSize));
  return runPipelined(calls, admissions.length, inFlight, (call) => store.admitShardBatch(redis, 0, call));
}
