import { type RedisMemoryState, readMemoryStates } from '@ddup/redis-checks';
import { rememberedSpacesOf } from '@ddup/gateway';
import {
  type ShardInspection,
  type SinkBacklog,
  MAX_SAMPLE_BUCKETS,
  estimateRememberedEvents,
  inspectShards,
  inspectSinks,
  sinkGroupName,
  sinksWithGroups,
} from '@ddup/store';
import { bytes, type CliOutput, duration, table } from './output.ts';
import type { CliSession } from './session.ts';

/** What `ddup inspect` reads: every shard, every master's memory, and about how many events the window holds. */
export interface Inspection {
  readonly shards: readonly ShardInspection[];
  readonly memory: readonly RedisMemoryState[];
  readonly rememberedEvents: number;
  /** Each sink a consumer has started (its group on the events streams), over every shard. */
  readonly sinks: readonly SinkBacklog[];
}

async function inspectAll(session: CliSession): Promise<Inspection> {
  const { redis, store } = session;
  const [shards, memory, rememberedEvents, sinks] = await Promise.all([
    inspectShards(redis, store.layout.shardCount),
    readMemoryStates(redis),
    estimateRememberedEvents(redis, store.layout, rememberedSpacesOf(session.settings.tenants, session.settings.DEDUP_WINDOW_SECONDS)),
    sinksWithGroups(redis, store.layout.shardCount).then((ids) => inspectSinks(redis, store.layout.shardCount, ids)),
  ]);
  return { shards, memory, rememberedEvents, sinks };
}

function usedBytes(memory: readonly RedisMemoryState[]): number {
  return memory.reduce((sum, state) => sum + state.usedBytes, 0);
}

/** `used_memory` over the remembered events: what an event costs, streams and Redis's own base included. */
function bytesPerEvent(inspection: Inspection): number | null {
  return inspection.rememberedEvents > 0 ? Math.round(usedBytes(inspection.memory) / inspection.rememberedEvents) : null;
}

function shardTable(shards: readonly ShardInspection[]): string {
  const rows = shards.map((s) => [
    s.shard,
    s.stream,
    s.group,
    s.length,
    s.entriesAdded,
    s.pending,
    s.lag ?? '?',
    s.oldestPendingAgeMs === null ? '-' : duration(s.oldestPendingAgeMs),
    s.consumers.length,
    s.deadLetterStream,
    s.deadLetters,
  ]);
  return table([
    ['shard', 'stream', 'group', 'length', 'added', 'pending', 'lag', 'oldest pending', 'consumers', 'dead-letter stream', 'dead letters'],
    ...rows,
  ]);
}

function consumerTable(shards: readonly ShardInspection[]): string {
  const rows = shards.flatMap((s) => s.consumers.map((c) => [s.shard, s.stream, c.name, c.pending, duration(c.idleMs)]));
  return rows.length === 0 ? 'no consumers in any group\n' : table([['shard', 'stream', 'consumer', 'pending', 'idle'], ...rows]);
}

/** A row per sink: entries not read yet (lag), read and not acknowledged (pending), dead letters. */
function sinkTable(sinks: readonly SinkBacklog[]): string {
  if (sinks.length === 0) return 'no sinks (none started by a consumer with SINKS_FILE)\n';
  return table([['sink', 'group', 'lag', 'pending', 'dead letters'], ...sinks.map((s) => [s.sink, sinkGroupName(s.sink), s.lag, s.pending, s.deadLetters])]);
}

function memoryTable(inspection: Inspection): string {
  const rows = inspection.memory.map((state, master) => [
    master,
    bytes(state.usedBytes),
    state.maxBytes > 0 ? bytes(state.maxBytes) : 'no limit',
    state.policy,
  ]);
  return table([['master', 'used_memory', 'maxmemory', 'policy'], ...rows, ['total', bytes(usedBytes(inspection.memory)), '', '']]);
}

function spacesLabel(session: CliSession): string {
  const { tenants } = session.settings;
  return tenants === undefined ? 'the default space' : `the ${tenants.tenants.length} tenant(s) of ${tenants.path}`;
}

/** `ddup inspect`: streams, group, consumers and dead letters per shard, memory per master, what an event costs. */
export async function inspect(session: CliSession, output: CliOutput, json: boolean): Promise<number> {
  const inspection = await inspectAll(session);
  const { store } = session;
  if (json) {
    const usedMemoryBytes = usedBytes(inspection.memory);
    output.out(`${JSON.stringify({ ...inspection, usedMemoryBytes, bytesPerRememberedEvent: bytesPerEvent(inspection) })}\n`);
    return 0;
  }
  const perEvent = bytesPerEvent(inspection);
  output.out(
    [
      `Redis ${session.where}: ${store.layout.shardCount} shard(s), ${store.layout.bucketsPerShard} index buckets per shard, window ${store.settings.windowSeconds} s`,
      '',
      shardTable(inspection.shards),
      consumerTable(inspection.shards),
      sinkTable(inspection.sinks),
      memoryTable(inspection),
      `remembered events ≈ ${inspection.rememberedEvents} (${spacesLabel(session)}: live records of a sample of up to ${MAX_SAMPLE_BUCKETS} buckets per shard, scaled up)`,
      perEvent === null
        ? 'bytes per remembered event: - (none remembered)'
        : `bytes per remembered event ≈ ${perEvent} (used_memory / remembered events: streams and Redis's own memory included)`,
      '',
    ].join('\n'),
  );
  return 0;
}
