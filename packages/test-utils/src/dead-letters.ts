import { eventHash } from '@ddup/hashing';
import { CONSUMER_GROUP, NEW_ENTRIES, type RedisCommandSender, type Store, StreamGroup, eventsStreamKey } from '@ddup/store';

/** A dead letter made for a test: the admitted event it stands for, and where it went. */
export interface MadeDeadLetter {
  readonly hash: string;
  readonly canonical: string;
  readonly shard: number;
  /** Its entry id on the events stream (`source_id` of the dead letter). */
  readonly sourceId: string;
}

/**
 * Dead letters made through the real path, for tests of listing and replay: events admitted as
 * the gateway admits them (pending in the index), delivered to a consumer that never confirms
 * them, then moved to the dead letters by `Store.deadLetter` after `deliveries` deliveries.
 * No consumer may run meanwhile. `names` make the events (and their hashes) distinct.
 */
export async function makeDeadLetters(
  redis: RedisCommandSender,
  store: Store,
  names: readonly string[],
  reason = 'made by a test',
  deliveries = 3,
): Promise<MadeDeadLetter[]> {
  const workers = StreamGroup.ofEvents(CONSUMER_GROUP, store.layout.shardCount);
  await workers.ensure(redis);
  const made = await Promise.all(
    names.map(async (name) => {
      const { hash, canonical } = eventHash({ user_id: name, event_type: 'dead', timestamp: 't', payload: Object.create(null) }, 'python');
      const admitted = await store.admit(redis, { hash, canonical });
      if (admitted.outcome !== 'accepted') throw new Error(`${name} was not accepted (${admitted.outcome})`);
      return { hash, canonical, shard: store.shardOf(hash), sourceId: admitted.id };
    }),
  );
  for (const stream of workers.streams) await workers.read(redis, 'never-confirms', [[stream, NEW_ENTRIES]]);
  const moved = await Promise.all(made.map((letter) => store.deadLetter(redis, eventsStreamKey(letter.shard), letter.sourceId, reason, deliveries)));
  if (moved.some((ok) => !ok)) throw new Error('an entry was not pending, so it could not be dead-lettered');
  return made;
}
