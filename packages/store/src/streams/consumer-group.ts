import { allEventsStreamKeys, deadLetterStreamKey, shardOfEventsStreamKey } from '../names.ts';
import { type RedisCommandSender, runScript } from '../script-runner.ts';
import { type MoveReply, deadLetterScript } from '../scripts.ts';
import { fieldsOf } from './flat-reply.ts';
import { type EventEntry, type RawStreamEntry, decodeStreamEntry, decodeStreamEntries } from './stream-entry.ts';
import { rangeOfStream } from './stream-reads.ts';

/** The entries one read returned from one stream. */
export interface StreamBatch {
  readonly stream: string;
  readonly entries: readonly EventEntry[];
}

/** Read entries never delivered to the group (XREADGROUP's `>`). */
export const NEW_ENTRIES = '>';

/**
 * Where one read starts on one stream: NEW_ENTRIES, or an id: this consumer's own pending entries
 * after it (`0`: all of them).
 */
export type ReadCursor = readonly [stream: string, after: string];

/** A pending entry as XPENDING's extended form describes it. */
export interface PendingEntry {
  readonly id: string;
  readonly consumer: string;
  readonly idleMs: number;
  /** Times it was delivered (read or claimed). */
  readonly deliveries: number;
}

/** XPENDING's summary of a group on one stream: how many entries are pending, and the oldest one's id (null: none). */
export interface PendingSummary {
  readonly count: number;
  readonly oldestId: string | null;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The stream has no such group (deleted and written again, or never read): a read or an ack fails with this. */
export function isMissingGroupError(error: unknown): boolean {
  return errorMessage(error).startsWith('NOGROUP');
}

/** Parses an XREADGROUP/XREAD reply (RESP2; null when nothing came). */
function batchesOf(reply: unknown): StreamBatch[] {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) throw new TypeError('unexpected XREADGROUP reply');
  return (reply as [string, RawStreamEntry[]][]).map(([stream, entries]) => ({ stream, entries: entries.map(decodeStreamEntry) }));
}

/** XPENDING's summary of `group` on `stream` (any group: the trim point looks at every one). */
export async function pendingSummaryOf(redis: RedisCommandSender, stream: string, group: string): Promise<PendingSummary> {
  const [count, oldestId] = await redis.sendCommand<[number, string | null, ...unknown[]]>(['XPENDING', stream, group]);
  return { count: Number(count), oldestId: typeof oldestId === 'string' ? oldestId : null };
}

/** XINFO GROUPS of `stream`: each group's flat name/value list as a record (name, pending, lag, last-delivered-id, ...). */
export async function groupsOfStream(redis: RedisCommandSender, stream: string): Promise<Record<string, unknown>[]> {
  const groups = await redis.sendCommand<unknown[]>(['XINFO', 'GROUPS', stream]);
  return groups.map((group) => fieldsOf(group));
}

/**
 * One consumer group over some streams (the shards' events streams): the Redis Streams protocol
 * of reading, acknowledging, reclaiming and tidying up, with replies decoded into entries. The
 * group name is a parameter: the confirm workers read as CONSUMER_GROUP, each other reader of the
 * events as a group of its own. As with `Store`, each method takes the sender to use (a
 * connection, or one bounded by a timeout); a stream's commands route by its key on a cluster.
 */
export class StreamGroup {
  /** The group `name` over every events stream of `shardCount` shards. */
  static ofEvents(name: string, shardCount: number): StreamGroup {
    return new StreamGroup(name, allEventsStreamKeys(shardCount));
  }

  constructor(
    readonly name: string,
    readonly streams: readonly string[],
  ) {}

  /**
   * Creates the group on each stream (and the stream) where it is missing. From `0` it delivers
   * every entry the stream holds (events admitted before any reader ran); from `$` only entries
   * added after it was made.
   */
  async ensure(redis: RedisCommandSender, start: '0' | '$' = '0'): Promise<void> {
    await Promise.all(
      this.streams.map(async (stream) => {
        try {
          await redis.sendCommand(['XGROUP', 'CREATE', stream, this.name, start, 'MKSTREAM']);
        } catch (error) {
          if (!errorMessage(error).startsWith('BUSYGROUP')) throw error;
        }
      }),
    );
  }

  /**
   * One XREADGROUP as `consumer` over `cursors` (on a cluster, streams of one slot only), at most
   * `count` entries a stream (all there are when unset); with `blockMs`, waits that long for new
   * entries when there are none. A stream with nothing to give may be left out of the answer.
   */
  async read(redis: RedisCommandSender, consumer: string, cursors: readonly ReadCursor[], count?: number, blockMs?: number): Promise<StreamBatch[]> {
    const command = ['XREADGROUP', 'GROUP', this.name, consumer];
    if (count !== undefined) command.push('COUNT', String(count));
    if (blockMs !== undefined) command.push('BLOCK', String(blockMs));
    command.push('STREAMS');
    for (const [stream] of cursors) command.push(stream);
    for (const [, after] of cursors) command.push(after);
    return batchesOf(await redis.sendCommand(command));
  }

  /** Acknowledges entries of `stream`; resolves to how many were pending (XACK's count). */
  async ack(redis: RedisCommandSender, stream: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return Number(await redis.sendCommand<number>(['XACK', stream, this.name, ...ids]));
  }

  /** Up to `count` entries of `stream` pending (with any consumer) for at least `minIdleMs`, oldest first. */
  async stale(redis: RedisCommandSender, stream: string, minIdleMs: number, count: number): Promise<PendingEntry[]> {
    const rows = await redis.sendCommand<[string, string, number, number][]>([
      'XPENDING',
      stream,
      this.name,
      'IDLE',
      String(minIdleMs),
      '-',
      '+',
      String(count),
    ]);
    return rows.map(([id, consumer, idleMs, deliveries]) => ({ id, consumer, idleMs: Number(idleMs), deliveries: Number(deliveries) }));
  }

  /**
   * Takes pending entries `ids` of `stream` over for `consumer`, those still idle for `minIdleMs`
   * (XCLAIM checks it again, so two reclaimers never both take one); resolves to the entries taken.
   */
  async claim(redis: RedisCommandSender, stream: string, consumer: string, minIdleMs: number, ids: readonly string[]): Promise<EventEntry[]> {
    if (ids.length === 0) return [];
    return decodeStreamEntries(await redis.sendCommand(['XCLAIM', stream, this.name, consumer, String(minIdleMs), ...ids]));
  }

  /** Entry `id` of `stream`, or undefined when the stream no longer holds it. */
  async entry(redis: RedisCommandSender, stream: string, id: string): Promise<EventEntry | undefined> {
    const [raw] = await rangeOfStream(redis, stream, id, id);
    return raw && decodeStreamEntry(raw);
  }

  /**
   * Moves entry `id` of events stream `stream`, pending in this group, to its shard's dead letters
   * (with the reason and delivery count) and acknowledges it, atomically (dead-letter-2.lua); true
   * when moved, false when it was no longer pending.
   */
  async deadLetter(redis: RedisCommandSender, stream: string, id: string, reason: string, deliveries: number): Promise<boolean> {
    const shard = shardOfEventsStreamKey(stream);
    if (shard === undefined) throw new RangeError(`not an events stream: ${stream}`);
    const [moved] = await runScript<MoveReply>(redis, deadLetterScript, [stream, deadLetterStreamKey(shard)], [this.name, id, reason, String(deliveries)]);
    return moved === 1;
  }

  /** XPENDING's summary of the group on `stream`. */
  pendingSummary(redis: RedisCommandSender, stream: string): Promise<PendingSummary> {
    return pendingSummaryOf(redis, stream, this.name);
  }

  /** Up to `count` entries of `stream` pending with `consumer`, oldest first. */
  async pendingOf(redis: RedisCommandSender, stream: string, consumer: string, count: number): Promise<PendingEntry[]> {
    const rows = await redis.sendCommand<[string, string, number, number][]>(['XPENDING', stream, this.name, '-', '+', String(count), consumer]);
    return rows.map(([id, owner, idleMs, deliveries]) => ({ id, consumer: owner, idleMs: Number(idleMs), deliveries: Number(deliveries) }));
  }

  /** Removes `consumer` from the group on `stream`; resolves to how many entries it still had pending (now pending with nobody). */
  async deleteConsumer(redis: RedisCommandSender, stream: string, consumer: string): Promise<number> {
    return Number(await redis.sendCommand<number>(['XGROUP', 'DELCONSUMER', stream, this.name, consumer]));
  }

  /** Removes `consumer` from the group on each stream where it has nothing pending, so XINFO stays tidy across restarts. */
  async deleteIdleConsumer(redis: RedisCommandSender, consumer: string): Promise<void> {
    for (const stream of this.streams) {
      const pending = await this.pendingOf(redis, stream, consumer, 1);
      if (pending.length === 0) await this.deleteConsumer(redis, stream, consumer);
    }
  }

  /** XINFO GROUPS' record of this group on `stream` (pending, lag, entries-read, ...), or undefined when the stream has no such group. */
  async info(redis: RedisCommandSender, stream: string): Promise<Record<string, unknown> | undefined> {
    return (await groupsOfStream(redis, stream)).find((group) => group.name === this.name);
  }

  /** XINFO CONSUMERS of the group on `stream`, each as a record (name, pending, idle, ...); none when the group does not exist yet. */
  async consumers(redis: RedisCommandSender, stream: string): Promise<Record<string, unknown>[]> {
    try {
      return (await redis.sendCommand<unknown[]>(['XINFO', 'CONSUMERS', stream, this.name])).map((consumer) => fieldsOf(consumer));
    } catch (error) {
      if (isMissingGroupError(error)) return [];
      throw error;
    }
  }
}
