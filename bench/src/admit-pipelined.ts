import {
  type AdmitBatchReply,
  type AdmitReply,
  type RedisCommandSender,
  admitBatchScript,
  admitScript,
  runScript,
} from '@ddup/redis-keys';
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
  send: (item: T) => Promise<readonly (number | string)[]>,
): Promise<PipelinedAdmission> {
  let next = 0;
  let admitted = 0;
  let duplicates = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item === undefined) break;
      for (const code of await send(item)) {
        if (code === 1) admitted++;
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
 * Runs the admission script (EVALSHA, as the gateway does) once per prepared event over one
 * connection, keeping `inFlight` calls outstanding, as the gateway's concurrent requests do.
 */
export function admitPipelined(
  redis: RedisCommandSender,
  admissions: readonly PreparedAdmission[],
  inFlight: number,
): Promise<PipelinedAdmission> {
  return runPipelined(admissions, admissions.length, inFlight, async (admission) => {
    const [code] = await runScript<AdmitReply>(redis, admitScript, admission.keys, admission.args);
    return [code];
  });
}

/**
 * The batch route's own Redis work without HTTP: the prepared events in calls of `batchSize` to
 * `admit-batch-var.lua` (the one Lua loop the gateway runs per shard), `inFlight` calls outstanding
 * (the gateway's BATCH_ADMISSION_CONCURRENCY). All events must be of one shard.
 */
export async function admitBatchesPipelined(
  redis: RedisCommandSender,
  admissions: readonly PreparedAdmission[],
  batchSize: number,
  inFlight: number,
): Promise<PipelinedAdmission> {
  const calls: { keys: string[]; args: string[] }[] = [];
  for (let from = 0; from < admissions.length; from += batchSize) {
    const slice = admissions.slice(from, from + batchSize);
    const first = slice[0];
    if (!first) break;
    calls.push({
      keys: [first.keys[1], ...slice.map((admission) => admission.keys[0])],
      args: [first.args[0], ...slice.flatMap((admission) => [admission.args[1], admission.args[2]])],
    });
  }
  return runPipelined(calls, admissions.length, inFlight, async (call) => {
    const reply = await runScript<AdmitBatchReply>(redis, admitBatchScript.withKeyCount(call.keys.length), call.keys, call.args);
    // Two elements per event: its code, then its id or state.
    return reply.filter((_, index) => index % 2 === 0);
  });
}
