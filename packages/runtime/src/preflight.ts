import { LayoutMismatchError, type Store, checkLayout } from '@ddup/store';
import type { Logger } from './log.ts';
import { RedisMemoryWatch } from './memory-watch.ts';
import type { RedisCommands, RedisConnection } from './redis-types.ts';
import type { OnRefused } from './refusal.ts';

export interface PreflightOptions {
  readonly onRefused: OnRefused;
  /** How often the memory watch looks while connected; see MemoryWatchOptions. */
  readonly memoryIntervalMs?: number;
  /** Pause between looks when Redis does not answer the first one of a connection; 1 s by default. */
  readonly retryMs?: number;
}

/**
 * What a process checks at every (re)connection, in this order, before it writes: Redis's memory
 * settings, then the data's layout (a process would look for remembered events in the wrong place).
 * The order matters: the layout check records the layout on a
 * fresh Redis, and a Redis that may evict must be refused before anything is written to it.
 * `passed` resolves after the first connection that got through both; after a refusal it stays
 * pending (ddup's entry points exit).
 */
export class RedisPreflight {
  readonly memory: RedisMemoryWatch;
  readonly passed: Promise<void>;
  readonly #redis: RedisConnection;
  readonly #commands: RedisCommands;
  readonly #store: Store;
  readonly #options: PreflightOptions;
  #pass: () => void = () => undefined;
  #stopped = false;

  constructor(redis: RedisConnection, commands: RedisCommands, store: Store, logger: Logger, options: PreflightOptions) {
    this.#redis = redis;
    this.#commands = commands;
    this.#store = store;
    this.#options = options;
    this.memory = new RedisMemoryWatch(redis, commands, logger, {
      onRefused: options.onRefused,
      ...(options.memoryIntervalMs !== undefined ? { intervalMs: options.memoryIntervalMs } : {}),
    });
    this.passed = new Promise((resolve) => {
      this.#pass = resolve;
    });
    redis.onReady(() => void this.#check());
  }

  async #check(): Promise<void> {
    const { layout, settings } = this.#store;
    while (!this.#stopped && this.#redis.isReady) {
      try {
        // Refused (the first look), or reported by /readyz until the policy is put back.
        if ((await this.memory.look())?.reason === 'eviction_policy') return;
        // The server may have been replaced by one with other data: checked at every connection.
        await checkLayout(this.#commands, layout, settings.indexCapacity);
        this.#pass();
        return;
      } catch (error) {
        if (error instanceof LayoutMismatchError) {
          this.#options.onRefused({ reason: 'layout_mismatch', detail: error.message });
          return;
        }
        // Redis did not answer: look again while this connection lasts.
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryMs ?? 1_000).unref());
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    this.memory.stop();
  }
}
