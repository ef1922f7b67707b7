import type { Logger, RedisCommands } from '@ddup/runtime';
import { allEventsStreamKeys } from '@ddup/store';

type SlotRange = [number, number, [string, number, ...unknown[]], ...unknown[]];

/**
 * On a cluster: how many masters hold at least one shard stream, out of how many. Shards are
 * whole slots, so with too few of them (STREAM_SHARDS=1, the single-node default) some masters
 * get no events at all.
 */
export async function shardSpread(redis: RedisCommands, shardCount: number): Promise<{ used: number; masters: number }> {
  const ranges = await redis.sendCommand<SlotRange[]>(['CLUSTER', 'SLOTS']);
  const ownerOf = (range: SlotRange) => `${range[2][0]}:${range[2][1]}`;
  // One KEYSLOT per shard, sent together (pipelined) rather than one round trip after another.
  const slots = await Promise.all(allEventsStreamKeys(shardCount).map((stream) => redis.sendCommand<number>(['CLUSTER', 'KEYSLOT', stream])));
  const owners = new Set<string>();
  for (const slot of slots) {
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (range) owners.add(ownerOf(range));
  }
  const masters = new Set(ranges.map(ownerOf));
  return { used: owners.size, masters: masters.size };
}

/** Logs a warning when some master holds no shard; a failed check is only logged. */
export async function warnIfShardsMissMasters(redis: RedisCommands, shardCount: number, logger: Logger): Promise<void> {
  try {
    const { used, masters } = await shardSpread(redis, shardCount);
    if (used < masters) {
      logger.warn(
        `STREAM_SHARDS=${shardCount} puts events on ${used} of ${masters} cluster masters; the others get none. ` +
          'Choose the shard count before the first start (16 spreads over 3 masters); it cannot change later.',
        { used, masters },
      );
    }
  } catch (error) {
    logger.warn('cannot check how shards spread over the cluster', { error });
  }
}
