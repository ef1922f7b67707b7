import { once } from 'node:events';
import { CONSUMER_GROUP } from '@ddup/redis-keys';
import { type Logger, type RedisConnection, rateLimited } from '@ddup/runtime';
import { backoff } from './backoff.ts';
import { type ConfirmSettings, confirmBatch } from './confirm.ts';
import { ensureConsumerGroup } from './consumer-group.ts';
import { parseStreamsReply } from './stream-reply.ts';

export interface StreamConsumerOptions {
  /** A connection of this consumer's own: XREADGROUP BLOCK holds it while waiting. */
  readonly redis: RedisConnection;
  readonly name: string;
  readonly streams: readonly string[];
  readonly batchSize: number;
  readonly blockMs: number;
  readonly commandTimeoutMs: number;
  readonly confirm: ConfirmSettings;
  readonly logger: Logger;
  /** Called after each confirmed batch, with the number of entries acknowledged. */
  readonly onConfirmed?: (count: number) => void;
}

/**
 * One member of the `ddup-workers` group: reads new entries of its streams, confirms them, repeats.
 * `close()` stops it reading, lets the batch in hand finish, and is safe to call more than once.
 */
export class StreamConsumer {
  readonly #options: StreamConsumerOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #confirmed = 0;

  constructor(options: StreamConsumerOptions) {
    this.#options = options;
  }

  get name(): string {
    return this.#options.name;
  }

  /** Entries this consumer has acknowledged since it started. */
  get confirmed(): number {
    return this.#confirmed;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  close(): Promise<void> {
    this.#stop.abort();
    return this.#running ?? Promise.resolve();
  }

  async #loop(): Promise<void> {
    const { redis, logger } = this.#options;
    const readArgs = this.#readArgs();
    const timeout = this.#options.blockMs + this.#options.commandTimeoutMs;
    let lastError = '';
    const logFailure = rateLimited(5_000, (suppressed) => logger.warn('consumer cannot read', { consumer: this.name, error: lastError, suppressed }));
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      if (!redis.isReady) {
        // Connecting or reconnecting: the connection logs that; wait rather than spin on errors.
        await once(redis, 'ready', { signal: this.#stop.signal }).catch(() => undefined);
        continue;
      }
      try {
        const reply = await redis.sendCommand(readArgs, { timeout });
        for (const batch of parseStreamsReply(reply)) {
          const result = await confirmBatch(redis, batch, this.#options.confirm);
          this.#confirmed += result.confirmed;
          if (result.confirmed > 0) this.#options.onConfirmed?.(result.confirmed);
          if (result.unconfirmable.length > 0) {
            logger.warn('entries without a valid hash left pending', { stream: batch.stream, ids: result.unconfirmable.slice(0, 10) });
          }
        }
        failures = 0;
      } catch (error) {
        lastError = error instanceof Error ? error.message || error.name : String(error);
        if (lastError.startsWith('NOGROUP')) {
          await ensureConsumerGroup(redis, this.#options.streams).catch(() => undefined);
          continue;
        }
        logFailure();
        await backoff(failures++, this.#stop.signal);
      }
    }
  }

  #readArgs(): string[] {
    const { streams, batchSize, blockMs, name } = this.#options;
    return [
      'XREADGROUP', 'GROUP', CONSUMER_GROUP, name,
      'COUNT', String(batchSize),
      'BLOCK', String(blockMs),
      'STREAMS', ...streams, ...streams.map(() => '>'),
    ];
  }
}
