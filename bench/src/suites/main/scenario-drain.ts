import { join } from 'node:path';
import { type PipelinedAdmission, admitPipelined } from '../../lib/load/admit-pipelined.ts';
import { prepareAdmissions } from '../../lib/load/admissions.ts';
import { startConsumer } from '../../lib/processes/consumer-process.ts';
import { type DrainRate, drainRate } from './drain-rate.ts';
import { isDrained, pollUntilDrained } from '../../lib/redis/group-progress.ts';
import { withCpuShares } from '../../lib/cpu/process-cpu.ts';
import type { Check } from '../../lib/load/profile.ts';
import { type RedisNode, startRedisNode } from '../../lib/redis/redis-node.ts';
import { type RedisProbe, openProbe } from '../../lib/redis/redis-probe.ts';
import { usedMemory } from '../../lib/redis/redis-memory.ts';
import { WINDOW_SECONDS } from './scenario-direct.ts';
import { sampledEventsProcessed } from './sampled-events.ts';
import { Store } from '@ddup/store';
import { EVENTS_STREAM } from '../../lib/redis/stream-length.ts';
import type { SuiteSettings } from './suite-settings.ts';

/** (d) One consumer process confirming a pre-filled stream. */
export interface DrainResult extends DrainRate {
  readonly prefilled: number;
  /** The pre-fill: the admission script, pipelined, on a fresh redis-server with no consumer. */
  readonly prefill: PipelinedAdmission;
  /** From the consumer process's spawn to everything confirmed (its start-up included). */
  readonly wallSeconds: number;
  readonly consumerExitCode: number | null;
  /** CPU used from the consumer's spawn to drained, by process, in % of one core. */
  readonly cpuPercent: Readonly<Record<string, number>>;
  readonly checks: readonly Check[];
}

/** (e) used_memory per remembered event, measured on the same data. */
export interface MemoryResult {
  readonly events: number;
  readonly usedMemory: { readonly empty: number; readonly confirmed: number; readonly trimmed: number };
  readonly bytesPerEvent: { readonly withStreamEntries: number; readonly indexOnly: number };
  /** INDEX_CAPACITY of the run (= its events, the documented rule) and the index keys it made. */
  readonly indexCapacity: number;
  readonly indexKeys: number;
  readonly checks: readonly Check[];
}

const DRAIN_TIMEOUT_MS = 300_000;

/** The run's index layout: INDEX_CAPACITY = the events the window will hold, as the README's rule says. */
function drainStore(settings: SuiteSettings): Store {
  return new Store({ shardCount: 1, indexCapacity: settings.drainEvents, windowSeconds: WINDOW_SECONDS });
}

async function prefill(url: string, settings: SuiteSettings): Promise<PipelinedAdmission & { readonly hashes: readonly string[] }> {
  const admissions = prepareAdmissions(settings.drainEvents);
  const client = await openProbe(url);
  try {
    return { ...(await admitPipelined(client, drainStore(settings), admissions, settings.inFlight)), hashes: admissions.map(({ hash }) => hash) };
  } finally {
    client.close();
  }
}

async function drain(
  redis: RedisNode,
  probe: RedisProbe,
  settings: SuiteSettings,
  prefilled: PipelinedAdmission & { readonly hashes: readonly string[] },
): Promise<DrainResult> {
  const startedAt = Date.now();
  const consumer = startConsumer(
    redis.server.url,
    { INDEX_CAPACITY: String(settings.drainEvents) },
    settings.cpuProfileDir ? join(settings.cpuProfileDir, 'drain-consumer') : undefined,
  );
  const pids = { consumer: consumer.pid, redis: redis.server.pid };
  const polled = await withCpuShares(pids, () => pollUntilDrained(probe, DRAIN_TIMEOUT_MS, 50)).then(
    ({ result, cpuPercent }) => ({ samples: result, cpuPercent }),
    (error: unknown) => ({ error }),
  );
  // Stopped before memory is read: its connections' buffers are not the data's.
  const consumerExitCode = await consumer.stop('SIGTERM');
  if ('error' in polled) throw polled.error;
  const { samples, cpuPercent } = polled;
  const last = samples.at(-1);
  const rate = drainRate(samples, startedAt);
  return {
    ...rate,
    prefilled: prefilled.admitted,
    prefill: {
      events: prefilled.events,
      admitted: prefilled.admitted,
      duplicates: prefilled.duplicates,
      inFlight: prefilled.inFlight,
      seconds: prefilled.seconds,
      eventsPerSecond: prefilled.eventsPerSecond,
    },
    wallSeconds: ((last?.at ?? Date.now()) - startedAt) / 1000,
    consumerExitCode,
    cpuPercent,
    checks: [
      {
        name: 'all pre-filled events confirmed',
        honesty: true,
        ok: isDrained(last?.progress) && last?.progress?.entriesRead === prefilled.admitted && prefilled.admitted === settings.drainEvents,
        detail: `${prefilled.admitted} admitted; XINFO GROUPS entries-read ${last?.progress?.entriesRead ?? '?'}, lag ${last?.progress?.lag ?? '?'}, pending ${last?.progress?.pending ?? '?'}`,
      },
      await sampledEventsProcessed(probe, drainStore(settings), prefilled.hashes),
      { name: 'consumer stopped cleanly', ok: consumerExitCode === 0, honesty: false, detail: `exit code ${consumerExitCode}` },
    ],
  };
}

/**
 * (d) and (e) on one fresh redis-server: admit `drainEvents` events (pipelined admission script),
 * start ONE consumer process and time it until lag and pending are 0; then used_memory against the
 * empty server, before and after XTRIM of the (all acknowledged) stream entries.
 */
export async function runDrainAndMemory(settings: SuiteSettings): Promise<{ drain: DrainResult; memory: MemoryResult }> {
  const redis = await startRedisNode('everysec');
  const probe = await openProbe(redis.server.url);
  try {
    const empty = await usedMemory(probe);
    console.error(`(d) pre-filling ${settings.drainEvents} events, then one consumer process drains them…`);
    const prefilled = await prefill(redis.server.url, settings);
    const drained = await drain(redis, probe, settings, prefilled);
    const confirmed = await usedMemory(probe);
    const keys = await probe.sendCommand<number>(['DBSIZE']);
    const trimmed = await probe.sendCommand<number>(['XTRIM', EVENTS_STREAM, 'MAXLEN', '0']);
    const indexOnly = await usedMemory(probe);
    const n = prefilled.admitted;
    const buckets = drainStore(settings).layout.bucketsPerShard;
    const memory: MemoryResult = {
      events: n,
      usedMemory: { empty, confirmed, trimmed: indexOnly },
      bytesPerEvent: { withStreamEntries: (confirmed - empty) / n, indexOnly: (indexOnly - empty) / n },
      indexCapacity: settings.drainEvents,
      indexKeys: keys - 3,
      checks: [
        // + the stream and the recorded layout (SHARD_COUNT_KEY and INDEX_LAYOUT_KEY, set by the consumer).
        {
          name: 'at most one index key per bucket, plus the stream and the two layout keys',
          ok: keys > 3 && keys <= buckets + 3,
          honesty: false,
          detail: `DBSIZE ${keys} for ${n} events in ${buckets} buckets`,
        },
        { name: 'XTRIM removed every (acknowledged) entry', ok: trimmed === n, honesty: false, detail: `${trimmed} entries trimmed` },
      ],
    };
    return { drain: drained, memory };
  } finally {
    probe.close();
    await redis.stop();
  }
}
