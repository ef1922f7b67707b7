import { INDEX_LAYOUT, type IndexLayout } from './index-layout.ts';
import { INDEX_LAYOUT_KEY, SHARD_COUNT_KEY } from './names.ts';
import type { RedisCommandSender } from './script-runner.ts';

/** The data in Redis was written with another shard count or index layout: this process must not run. */
export class LayoutMismatchError extends Error {
  override readonly name = 'LayoutMismatchError';
}

/** What `ddup:meta:index` holds: `packed-records-v1 buckets=<per shard> capacity=<INDEX_CAPACITY>`. */
function describeIndex(layout: IndexLayout, capacity: number): string {
  return `${INDEX_LAYOUT} buckets=${layout.bucketsPerShard} capacity=${capacity}`;
}

function parseIndex(recorded: string): { name: string; buckets: number; capacity: string } {
  const [name = '', ...fields] = recorded.split(' ');
  const value = (key: string) => fields.find((field) => field.startsWith(`${key}=`))?.slice(key.length + 1) ?? '?';
  return { name, buckets: Number(value('buckets')), capacity: value('capacity') };
}

export function shardCountMismatch(configured: number, recorded: number): string {
  return (
    `STREAM_SHARDS=${configured}, but this Redis holds data written with STREAM_SHARDS=${recorded} ` +
    `(${SHARD_COUNT_KEY}). Changing it would move every remembered event to another shard and break the dedup ` +
    `window: start with STREAM_SHARDS=${recorded}.`
  );
}

const PER_KEY_LAYOUT =
  `this Redis holds ddup data from before the compact index (${SHARD_COUNT_KEY} is set but ${INDEX_LAYOUT_KEY} is not): ` +
  `its dedup window is kept in one key per event (ddup:{sNN}:seen:<hash>), which this version does not read. ` +
  `Either finish that window with the earlier version, or start the compact index now and accept that events ` +
  `remembered only by the old keys are admitted once more: delete the old keys ` +
  `(redis-cli --scan --pattern 'ddup:*:seen:*' | xargs -r -n 1000 redis-cli del) and ${SHARD_COUNT_KEY}, then start again.`;

/**
 * Records the shard count and index layout on first start and checks them on every later one; a
 * process with settings that would read the data wrongly gets a LayoutMismatchError saying what to do.
 *
 * The index key is written before the shard count, and the shard count is read first: so a shard
 * count without an index key can only have been written by a version from before the index.
 */
export async function checkLayout(redis: RedisCommandSender, layout: IndexLayout, capacity: number): Promise<void> {
  const shardsBefore = await redis.sendCommand<string | null>(['GET', SHARD_COUNT_KEY]);
  const indexBefore = await redis.sendCommand<string | null>(['GET', INDEX_LAYOUT_KEY]);
  if (shardsBefore !== null && indexBefore === null) throw new LayoutMismatchError(PER_KEY_LAYOUT);
  if (shardsBefore !== null && Number(shardsBefore) !== layout.shardCount) {
    throw new LayoutMismatchError(shardCountMismatch(layout.shardCount, Number(shardsBefore)));
  }
  // Written only when missing: a Redis out of memory refuses every SET, and a process must still
  // be able to start on one that already holds its data (to drain the stream once memory is back).
  const recordedIndex = indexBefore ?? (await redis.sendCommand<string | null>(['SET', INDEX_LAYOUT_KEY, describeIndex(layout, capacity), 'NX', 'GET']));
  if (recordedIndex !== null) {
    const recorded = parseIndex(recordedIndex);
    if (recorded.name !== INDEX_LAYOUT) {
      throw new LayoutMismatchError(
        `this Redis holds a dedup index in layout ${recorded.name} (${INDEX_LAYOUT_KEY}), which this version cannot read (it writes ${INDEX_LAYOUT}); use the version that wrote it.`,
      );
    }
    if (recorded.buckets !== layout.bucketsPerShard) {
      throw new LayoutMismatchError(
        `INDEX_CAPACITY=${capacity} with STREAM_SHARDS=${layout.shardCount} gives ${layout.bucketsPerShard} index buckets per shard, ` +
          `but this Redis's index has ${recorded.buckets} (${INDEX_LAYOUT_KEY}: ${recordedIndex}). Changing it would look for every ` +
          `remembered event in another bucket: start with INDEX_CAPACITY=${recorded.capacity}.`,
      );
    }
  }
  const recordedShards = shardsBefore ?? (await redis.sendCommand<string | null>(['SET', SHARD_COUNT_KEY, String(layout.shardCount), 'NX', 'GET']));
  if (recordedShards !== null && Number(recordedShards) !== layout.shardCount) {
    throw new LayoutMismatchError(shardCountMismatch(layout.shardCount, Number(recordedShards)));
  }
}
