import type { RedisCommandSender } from '../script-runner.ts';
import { type EventEntry, type RawStreamEntry, decodeStreamEntry } from './stream-entry.ts';

/** Entries of `stream` from `start` to `end` (inclusive; `(id` excludes it), oldest first, at most `count` (all when unset), as Redis returns them. */
export async function rangeOfStream(redis: RedisCommandSender, stream: string, start = '-', end = '+', count?: number): Promise<RawStreamEntry[]> {
  const reply = await redis.sendCommand<unknown>(count === undefined ? ['XRANGE', stream, start, end] : ['XRANGE', stream, start, end, 'COUNT', String(count)]);
  if (!Array.isArray(reply)) throw new TypeError('unexpected XRANGE reply');
  return reply as RawStreamEntry[];
}

/** The newest entry of `stream`, as Redis returns it, or undefined when the stream is empty or missing. */
export async function lastOfStream(redis: RedisCommandSender, stream: string): Promise<RawStreamEntry | undefined> {
  const reply = await redis.sendCommand<unknown>(['XREVRANGE', stream, '+', '-', 'COUNT', '1']);
  if (!Array.isArray(reply)) throw new TypeError('unexpected XREVRANGE reply');
  return (reply as RawStreamEntry[])[0];
}

/** Entries of `stream` from `start` to `end`, decoded (see rangeOfStream). */
export async function readEventEntries(redis: RedisCommandSender, stream: string, start = '-', end = '+', count?: number): Promise<EventEntry[]> {
  return (await rangeOfStream(redis, stream, start, end, count)).map(decodeStreamEntry);
}
