import { eventHash } from '@ddup/hashing';
import { type RedisCommandSender, admitScript, eventsStreamKey, runScript, seenKey, shardOf } from '@ddup/redis-keys';

export interface AdmitOptions {
  readonly shardCount?: number;
  readonly windowSeconds?: number;
}

/**
 * Admits one event per name exactly as the gateway does (same hash, same admission script), for
 * tests of what happens after admission. Resolves to the hashes, in order.
 */
export async function admitEvents(redis: RedisCommandSender, names: readonly string[], options: AdmitOptions = {}): Promise<string[]> {
  const shardCount = options.shardCount ?? 1;
  const window = String(options.windowSeconds ?? 3_600);
  return Promise.all(
    names.map(async (name) => {
      const { canonical, hash } = eventHash({ user_id: name, event_type: 'e', timestamp: 't', payload: Object.create(null) }, 'python');
      const shard = shardOf(hash, shardCount);
      await runScript(redis, admitScript, [seenKey(shard, hash), eventsStreamKey(shard)], [window, hash, canonical]);
      return hash;
    }),
  );
}

/** `count` names `${prefix}-0`, `${prefix}-1`, ... */
export function names(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${from + i}`);
}
