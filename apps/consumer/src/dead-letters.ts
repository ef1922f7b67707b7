import { type RedisCommandSender, type Store, deadLetterStreamKey } from '@ddup/store';
import { parseStreamsReply } from './stream-reply.ts';

export interface DeadLetter {
  readonly shard: number;
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The oldest `count` dead letters of each shard. */
export async function listDeadLetters(redis: RedisCommandSender, shardCount: number, count: number): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (let shard = 0; shard < shardCount; shard++) {
    const stream = deadLetterStreamKey(shard);
    const reply = await redis.sendCommand(['XRANGE', stream, '-', '+', 'COUNT', String(count)]);
    for (const entry of parseStreamsReply([[stream, reply]])[0]?.entries ?? []) {
      letters.push({ shard, id: entry.id, fields: entry.fields ?? {} });
    }
  }
  return letters;
}

/** Puts dead letters back on their shard's events stream (each atomically); returns the new entry ids. */
export async function replayDeadLetters(redis: RedisCommandSender, store: Store, letters: readonly DeadLetter[]): Promise<string[]> {
  const replayed: string[] = [];
  for (const letter of letters) {
    const id = await store.replay(redis, letter.shard, letter.id);
    if (id !== undefined) replayed.push(id);
  }
  return replayed;
}
