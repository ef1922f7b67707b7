import { setTimeout as sleep } from 'node:timers/promises';
import { type StreamBatch, type StreamGroup, isMissingGroupError, trimAcknowledged } from '@ddup/store';
import { type Logger, type RedisCommands, type RedisConnection, rateLimitedWarning, withCommandTimeout, withTimeout } from '@ddup/runtime';
import { backoff } from './backoff.ts';
import type { BatchHandler } from './batch-handler.ts';
import { GroupReader } from './group-reader.ts';
import type { ConsumerMetrics } from './metrics/consumer-metrics.ts';
import { type ReclaimSettings, reclaimStale } from './reclaim.ts';
import { settleSome } from './settle-some.ts';

/** Reclaim pages (each up to the batch size) one round may take before reading again. */
const RECLAIM_PAGES = 10;

export interface StreamConsumerOptions {
  /** A connection of this consumer's own: a blocking group read holds it while waiting. */
  readonly redis: RedisConnection;
  /** This consumer's name in the group. */
  readonly name: string;
  /** The group it reads as, over the streams it reads. */
  readonly group: StreamGroup;
  readonly batchSize: number;
  readonly blockMs: number;
  /** On a cluster, where reads cannot block across shards: the pause after finding every shard empty. */
  readonly idlePollMs: number;
  /**
   * The pause after a read that found some entries but fewer than a batch: new entries gather
   * meanwhile, so under steady load one read and one confirm call cover many of them.
   */
  readonly lingerMs: number;
  readonly commandTimeoutMs: number;
  /** What it does with each batch read or reclaimed (the confirm workers: confirmHandler). */
  readonly handler: BatchHandler;
  readonly reclaim: ReclaimSettings & { readonly intervalMs: number };
  /** Trimming: entries older than retentionMs every group acknowledged; a sink's group holds them sinkHoldMs at most. */
  readonly retention: { readonly retentionMs: number; readonly intervalMs: number; readonly sinkHoldMs?: number };
  /** One that names this consumer on every line: the pool gives `logger.child({ consumer: name })`. */
  readonly logger: Logger;
  /** Where reads are timed (confirm and reclaim count through their own settings); none: not measured. */
  readonly metrics?: ConsumerMetrics;
  /** Called before the group is created again on a stream that lost it; rejecting keeps it from being created. */
  readonly beforeGroupCreate?: () => Promise<void>;
}

/**
 * One member of a consumer group (the confirm workers': `ddup-workers`): reads new entries of its
 * streams, hands each stream's batch to its handler (which acknowledges them), repeats.
 *
 * It starts, and starts again after any failure, by re-reading its own pending entries (ID 0): a
 * read whose reply was lost (timeout, dropped connection) has still put entries in its pending
 * list, and only this pass confirms them without waiting for another consumer to reclaim them.
 * `close()` stops it reading, lets the batch in hand finish, and is safe to call more than once.
 */
export class StreamConsumer {
  readonly #options: StreamConsumerOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #confirmed = 0;
  #deadLettered = 0;
  #trimmed = 0;
  readonly #reader: GroupReader;
  #lastReclaim = 0;
  #lastTrim = 0;
  /** Logs, now and then, that some shards failed while others went on (a cluster master away). */
  readonly #notePartialFailure: (error: unknown) => void;

  constructor(options: StreamConsumerOptions) {
    this.#options = options;
    this.#notePartialFailure = rateLimitedWarning(options.logger, 'some shards cannot be read or confirmed; the others go on');
    const { metrics } = options;
    this.#reader = new GroupReader({
      group: options.group,
      consumer: options.name,
      readsAcrossShards: options.redis.readsAcrossShards,
      batchSize: options.batchSize,
      blockMs: options.blockMs,
      idlePollMs: options.idlePollMs,
      signal: this.#stop.signal,
      notePartialFailure: this.#notePartialFailure,
      timeRead: metrics && ((call) => metrics.timeRead(call)),
    });
  }

  get name(): string {
    return this.#options.name;
  }

  /** Entries this consumer has handled and acknowledged since it started (for the confirm workers: confirmed). */
  get confirmed(): number {
    return this.#confirmed;
  }

  /** Entries this consumer has moved to the dead letters. */
  get deadLettered(): number {
    return this.#deadLettered;
  }

  /** Entries this consumer has trimmed from the events streams. */
  get trimmed(): number {
    return this.#trimmed;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  close(): Promise<void> {
    this.#stop.abort();
    return this.#running ?? Promise.resolve();
  }

  async #loop(): Promise<void> {
    const { redis, logger, blockMs, commandTimeoutMs } = this.#options;
    const reads = withCommandTimeout(redis, blockMs + commandTimeoutMs);
    const writes = withCommandTimeout(redis, commandTimeoutMs);
    const logFailure = rateLimitedWarning(logger, 'consumer cannot read');
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      if (!redis.isReady) {
        // Connecting or reconnecting: the connection logs that; wait rather than spin on errors.
        await redis.untilReady(this.#stop.signal).catch(() => undefined);
        continue;
      }
      try {
        const batches = await this.#reader.read(reads);
        // Every stream's batch at once (on a cluster, each to its own master); one timer for all.
        // A batch whose master fails stays pending: the backlog pass or a reclaim confirms it later.
        const { handler } = this.#options;
        const { values: results, failures: failed } = await withTimeout(
          settleSome(batches.map((batch) => handler.handle(redis, batch))),
          commandTimeoutMs,
          'confirm batch',
        );
        if (failed.length > 0) this.#notePartialFailure(failed[0]);
        results.forEach((result, index) => {
          if (!result) return;
          this.#confirmed += result.handled;
          if (result.unhandled.length > 0) {
            logger.warn('entries without a valid hash left pending', { stream: batches[index]?.stream, ids: result.unhandled.slice(0, 10) });
          }
        });
        this.#reader.advance(batches);
        failures = 0;
        await this.#maintain(writes);
        if (this.#shouldLinger(batches)) await this.#pause(this.#options.lingerMs);
      } catch (error) {
        this.#reader.rewind();
        // A stream without the group (deleted and written again): create it and read on at once;
        // if even that fails (Redis out of memory, say), back off like any other failure.
        if (isMissingGroupError(error)) {
          const recreated = await (this.#options.beforeGroupCreate?.() ?? Promise.resolve())
            .then(() => this.#options.group.ensure(writes))
            .then(
              () => true,
              (cause: unknown) => {
                logFailure(cause);
                return false;
              },
            );
          if (recreated) continue;
          await backoff(failures++, this.#stop.signal);
          continue;
        }
        logFailure(error);
        await backoff(failures++, this.#stop.signal);
      }
    }
  }

  /** Between reads, now and then: take over stale entries of dead consumers; trim acknowledged history. */
  async #maintain(writes: RedisCommands): Promise<void> {
    const { group, name, reclaim, retention, handler, logger } = this.#options;
    const now = Date.now();
    if (now - this.#lastReclaim >= reclaim.intervalMs) {
      this.#lastReclaim = now;
      for (const stream of group.streams) {
        let confirmed = 0;
        let deadLettered = 0;
        // Page after page while pages come back full (a big backlog of a dead consumer), up to
        // RECLAIM_PAGES a round; past that, the next round comes after the next read, not the interval.
        for (let page = 0; page < RECLAIM_PAGES; page++) {
          const result = await reclaimStale(writes, group, stream, name, reclaim, handler).catch((error: unknown) => {
            this.#notePartialFailure(error);
            return { handled: 0, deadLettered: 0, more: false };
          });
          confirmed += result.handled;
          deadLettered += result.deadLettered;
          if (!result.more) break;
          if (page === RECLAIM_PAGES - 1) this.#lastReclaim = 0;
        }
        this.#confirmed += confirmed;
        this.#deadLettered += deadLettered;
        if (confirmed > 0) logger.info('reclaimed stale entries', { stream, confirmed });
        if (deadLettered > 0) logger.warn('entries moved to dead letters', { stream, count: deadLettered });
      }
    }
    if (now - this.#lastTrim >= retention.intervalMs) {
      this.#lastTrim = now;
      for (const stream of group.streams) {
        this.#trimmed += await trimAcknowledged(writes, stream, retention.retentionMs, now, retention.sinkHoldMs).catch((error: unknown) => {
          logger.warn('cannot trim', { stream, error });
          return 0;
        });
      }
    }
  }

  /** A partial batch of new entries: the stream is keeping up, not backed up. */
  #shouldLinger(batches: readonly StreamBatch[]): boolean {
    if (this.#options.lingerMs === 0 || !this.#reader.readingNew) return false;
    const read = batches.reduce((sum, batch) => sum + batch.entries.length, 0);
    return read > 0 && read < this.#options.batchSize;
  }

  #pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => undefined);
  }
}
