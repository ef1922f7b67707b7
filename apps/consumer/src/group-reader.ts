import { setTimeout as sleep } from 'node:timers/promises';
import { NEW_ENTRIES, type ReadCursor, type StreamBatch, type StreamGroup, isMissingGroupError, shardOfStreamKey } from '@ddup/store';
import type { RedisCommands } from '@ddup/runtime';
import { settleSome } from './settle-some.ts';

export interface GroupReaderOptions {
  /** The group it reads as, over the streams it reads. */
  readonly group: StreamGroup;
  /** This member's name in the group. */
  readonly consumer: string;
  /** The connection's `readsAcrossShards`: false on a cluster, where each shard is read on its own. */
  readonly readsAcrossShards: boolean;
  readonly batchSize: number;
  readonly blockMs: number;
  /** On a cluster, where reads cannot block across shards: the pause after finding every shard empty. */
  readonly idlePollMs: number;
  /** Ends the idle pause early (the reader's owner stopping). */
  readonly signal: AbortSignal;
  /** Told of a shard's failed read while the others went on (a cluster master away). */
  readonly notePartialFailure: (error: unknown) => void;
  /** Wraps each read, to time it; none: not measured. */
  readonly timeRead?: <T>(call: () => Promise<T>) => Promise<T>;
}

/** Where to read next: this member's own pending entries (per stream cursor), or new entries. */
type ReadPosition = { readonly kind: 'backlog'; readonly cursors: ReadonlyMap<string, string> } | { readonly kind: 'new' };

/** `cursors` in one list per shard (a shard's streams share a slot, so one read covers them); a stream of no shard alone. */
function byShard(cursors: readonly ReadCursor[]): ReadCursor[][] {
  const groups = new Map<number | string, ReadCursor[]>();
  for (const cursor of cursors) {
    const key = shardOfStreamKey(cursor[0]) ?? cursor[0];
    const group = groups.get(key);
    if (group) group.push(cursor);
    else groups.set(key, [cursor]);
  }
  return [...groups.values()];
}

/**
 * Where a member of a consumer group reads next, and the read itself. It starts, and starts again
 * after `rewind()`, with its own pending entries (each stream from ID 0): a read whose reply was
 * lost (timeout, dropped connection) has still put entries in its pending list. Once `advance()`
 * finds every stream's backlog done, it reads new entries.
 */
export class GroupReader {
  readonly #options: GroupReaderOptions;
  /** New entries of every stream: the cursors for one read, and per shard for a cluster's reads (fixed, so made once). */
  readonly #newCursors: readonly ReadCursor[];
  readonly #newCursorsByShard: readonly (readonly ReadCursor[])[];
  #position: ReadPosition;

  constructor(options: GroupReaderOptions) {
    this.#options = options;
    this.#newCursors = options.group.streams.map((stream) => [stream, NEW_ENTRIES] as const);
    this.#newCursorsByShard = byShard(this.#newCursors);
    this.#position = this.#backlogStart();
  }

  /** True once the backlog is done and reads take new entries. */
  get readingNew(): boolean {
    return this.#position.kind === 'new';
  }

  /** Back to the start of its own pending entries (after any failure). */
  rewind(): void {
    this.#position = this.#backlogStart();
  }

  /** In the backlog, move each stream's cursor past what was read; a stream with nothing left is done. */
  advance(batches: readonly StreamBatch[]): void {
    if (this.#position.kind === 'new') return;
    const cursors = new Map<string, string>();
    for (const batch of batches) {
      const last = batch.entries.at(-1);
      if (last) cursors.set(batch.stream, last.id);
    }
    this.#position = cursors.size === 0 ? { kind: 'new' } : { kind: 'backlog', cursors };
  }

  /**
   * One group read over every stream, blocking until something arrives. On a cluster the shards
   * live in different slots, so each is read on its own (all at once, without BLOCK, which would
   * hold the connection to its master), and an empty round is followed by a short pause. In the
   * backlog a stream's empty batch is kept (it marks the stream done); of new entries, only
   * batches with entries come back.
   */
  async read(reads: RedisCommands): Promise<StreamBatch[]> {
    const { group, consumer, readsAcrossShards, batchSize, blockMs, idlePollMs, signal, notePartialFailure, timeRead } = this.#options;
    const read = (cursors: readonly ReadCursor[], block?: number) => {
      const call = () => group.read(reads, consumer, cursors, batchSize, block);
      return timeRead?.(call) ?? call();
    };
    const backlog = this.#position.kind === 'backlog' ? [...this.#position.cursors] : undefined;
    if (readsAcrossShards) {
      return read(backlog ?? this.#newCursors, backlog ? undefined : blockMs);
    }
    // A shard whose master is away (until its failover) must not stop the others: its read fails
    // alone, and in the backlog it drops out (a reclaim takes over what it had pending).
    const { values: replies, failures } = await settleSome((backlog ? byShard(backlog) : this.#newCursorsByShard).map((cursors) => read(cursors)));
    // A stream that lost its group (deleted, then written again) gets it back through the owner's
    // catch; noted as a partial failure like the others, it would stay unread for good.
    const missingGroup = failures.find(isMissingGroupError);
    if (missingGroup !== undefined) throw missingGroup;
    if (failures.length > 0) notePartialFailure(failures[0]);
    const batches = replies.flatMap((reply) => reply ?? []).filter((batch) => backlog !== undefined || batch.entries.length > 0);
    if (batches.length === 0 && backlog === undefined) {
      await sleep(idlePollMs, undefined, { signal }).catch(() => undefined);
    }
    return batches;
  }

  #backlogStart(): ReadPosition {
    return { kind: 'backlog', cursors: new Map(this.#options.group.streams.map((stream) => [stream, '0'])) };
  }
}
