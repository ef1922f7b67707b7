import { eventHash } from '@ddup/hashing';
import { DEFAULT_INDEX_CAPACITY, type RedisCommandSender, type RememberedEvent, Store } from '@ddup/store';

export interface AdmitOptions {
  readonly shardCount?: number;
  readonly windowSeconds?: number;
  /** INDEX_CAPACITY of the service under test (its default when unset). */
  readonly indexCapacity?: number;
}

const SEVEN_DAYS_SECONDS = 7 * 24 * 3600;

/** A store laid out as a service with these settings lays it out (defaults: one shard, 7 days, default capacity). */
export function testStore(options: AdmitOptions = {}): Store {
  return new Store({
    shardCount: options.shardCount ?? 1,
    windowSeconds: options.windowSeconds ?? SEVEN_DAYS_SECONDS,
    indexCapacity: options.indexCapacity ?? DEFAULT_INDEX_CAPACITY,
  });
}

/**
 * Admits one event per name exactly as the gateway does (same hash, same admission script), for
 * tests of what happens after admission. Resolves to the hashes, in order.
 */
export async function admitEvents(redis: RedisCommandSender, names: readonly string[], options: AdmitOptions = {}): Promise<string[]> {
  const store = testStore({ windowSeconds: 3_600, ...options });
  return Promise.all(
    names.map(async (name) => {
      const { canonical, hash } = eventHash({ user_id: name, event_type: 'e', timestamp: 't', payload: Object.create(null) }, 'python');
      await store.admit(redis, { hash, canonical });
      return hash;
    }),
  );
}

/** What the index remembers of `hash` (as a service with `options` reads it), or undefined. */
export function rememberedEvent(redis: RedisCommandSender, hash: string, options: AdmitOptions = {}): Promise<RememberedEvent | undefined> {
  return testStore(options).lookup(redis, hash);
}

/** The state the index holds for `hash`: 'pending', 'processed', or null when it is not remembered. */
export async function seenState(redis: RedisCommandSender, hash: string, options: AdmitOptions = {}): Promise<string | null> {
  return (await rememberedEvent(redis, hash, options))?.state ?? null;
}

/** `count` names `${prefix}-0`, `${prefix}-1`, ... */
export function names(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${from + i}`);
}
