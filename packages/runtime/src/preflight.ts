import { LayoutMismatchError, type Store, checkLayout } from '@ddup/store';
import { type Logger, rateLimitedWarning } from './log.ts';
import { RedisMemoryWatch } from './memory-watch.ts';
import type { PinnedSender, RedisCommands, RedisConnection } from './redis-types.ts';
import type { OnRefused } from './refusal.ts';

/** A command refused because this process has not yet checked the Redis it reached (see RedisPreflight). */
export class RedisNotCheckedError extends Error {
  override readonly name = 'RedisNotCheckedError';
  constructor() {
    super('Redis is not checked yet (its memory settings and data layout): nothing is written to it before');
  }
}

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
 * The order matters: the layout check records the layout on a fresh Redis, and a Redis that may
 * evict must be refused before anything is written to it.
 *
 * `gate()` holds commands from the start of each connection until its check passed, and for good
 * after a refusal. `passed` resolves after the first connection that got through (the consumers
 * start then); after a refusal it stays pending (ddup's entry points exit).
 */
export class RedisPreflight {
  readonly memory: RedisMemoryWatch;
  readonly passed: Promise<void>;
  readonly #redis: RedisConnection;
  readonly #commands: RedisCommands;
  readonly #store: Store;
  readonly #options: PreflightOptions;
  readonly #onRefused: OnRefused;
  #pass: () => void = () => undefined;
  /** This connection's check passed (reset at each reconnection). */
  #checked = false;
  /** Refused once: nothing is let through again. */
  #refused = false;
  /** Which connection a running check belongs to: a check of an earlier one stops. */
  #generation = 0;
  #stopped = false;
  readonly #warn: (error: unknown) => void;

  constructor(redis: RedisConnection, commands: RedisCommands, store: Store, logger: Logger, options: PreflightOptions) {
    this.#redis = redis;
    this.#commands = commands;
    this.#store = store;
    this.#options = options;
    this.#onRefused = (refusal) => {
      this.#refused = true;
      options.onRefused(refusal);
    };
    this.memory = new RedisMemoryWatch(redis, commands, logger, {
      onRefused: this.#onRefused,
      ...(options.memoryIntervalMs !== undefined ? { intervalMs: options.memoryIntervalMs } : {}),
    });
    this.#warn = rateLimitedWarning(logger, 'cannot check Redis yet (its memory settings and data layout): nothing is written to it until then');
    this.passed = new Promise((resolve) => {
      this.#pass = resolve;
    });
    redis.onReady(() => {
      this.#checked = false;
      void this.#check(++this.#generation);
    });
  }

  #current(generation: number): boolean {
    return !this.#stopped && !this.#refused && generation === this.#generation && this.#redis.isReady;
  }

  async #check(generation: number): Promise<void> {
    const { layout, settings } = this.#store;
    while (this.#current(generation)) {
      try {
        // The first look refuses an evicting Redis (memory watch → onRefused); a later finding
        // keeps the gate shut, looking again, until the policy is put back.
        if ((await this.memory.look())?.reason !== 'eviction_policy') {
          // The server may have been replaced by one with other data: checked at every connection.
          await checkLayout(this.#commands, layout, settings.indexCapacity);
          if (!this.#current(generation)) return;
          this.#checked = true;
          this.#pass();
          return;
        }
      } catch (error) {
        if (error instanceof LayoutMismatchError) {
          if (this.#current(generation)) this.#onRefused({ reason: 'layout_mismatch', detail: error.message });
          return;
        }
        // Redis did not answer (or refused INFO/GET to this user): say so, and look again while this connection lasts.
        if (this.#current(generation)) this.#warn(error);
      }
      await new Promise((resolve) => setTimeout(resolve, this.#options.retryMs ?? 1_000).unref());
    }
  }

  /** Whether this connection got through both checks and nothing was refused: what gate() lets through. */
  get hasPassed(): boolean {
    return this.#checked && !this.#refused;
  }

  /** `commands`, each refused with RedisNotCheckedError until this connection's check has passed, and for good after a refusal. */
  gate(commands: RedisCommands): RedisCommands {
    const check = () => {
      // While disconnected the command fails as it would anyway (no offline queue): "not reachable".
      if (this.#refused || (this.#redis.isReady && !this.#checked)) throw new RedisNotCheckedError();
    };
    return {
      // Not async: the admission path's every command goes through here, and an async wrapper is one more promise each.
      sendCommand: <T>(args: Parameters<RedisCommands['sendCommand']>[0]) => {
        try {
          check();
        } catch (error) {
          return Promise.reject(error);
        }
        return commands.sendCommand<T>(args);
      },
      pinnedTo: async (key: string): Promise<PinnedSender> => {
        check();
        return commands.pinnedTo(key);
      },
      sendToEachMaster: async <T>(args: Parameters<RedisCommands['sendToEachMaster']>[0]) => {
        check();
        return commands.sendToEachMaster<T>(args);
      },
    };
  }

  stop(): void {
    this.#stopped = true;
    this.memory.stop();
  }
}
