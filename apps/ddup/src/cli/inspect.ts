import { type RedisMemoryState, readMemoryStates } from '@ddup/redis-checks';
import { rememberedSpacesOf } from '@ddup/gateway';
import { type ShardInspection, MAX_SAMPLE_BUCKETS, estimateRememberedEvents, inspectShards } from '@ddup/store';
import { bytes, type CliOutput, duration, table } from './output.ts';
import type { CliSession } from './session.ts';

/** What `ddup inspect` reads: every shard, every master's memory, and about how many events the window holds. */
export interface Inspection {
  readonly shards: readonly ShardInspection[];
  readonly memory: readonly RedisMemoryState[];
  readonly rememberedEvents: number;
}

async function inspectAll(session: CliSession): Promise<Inspection> {
  const { redis, store } = session;
  const [shards, memory, rememberedEvents] = await Promise.all([
    inspectShards(redis, store.layout.shardCount),
    readMemoryStates(redis),
    estimateRememberedEvents(redis, store.layout, rememberedSpacesOf(session.settings.tenants, session.settings.DEDUP_WINDOW_SECONDS)),
  ]);
  return { shards, memory, rememberedEvents };
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
