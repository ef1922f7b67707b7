import { type Logger, type PinnedSender, type RedisCommands, type RedisConnection, RedisUnavailableError, rateLimitedWarning } from '@ddup/runtime';
import { LayoutMismatchError, type Store, checkLayout, hasRecordedLayout, markRedisResetPending, readRedisReset } from '@ddup/store';
import { RedisMemoryWatch } from './memory-watch.ts';
import type { OnRefused } from './refusal.ts';

/** A command refused because this process has not yet checked the Redis it reached (see RedisPreflight). */
export class RedisNotCheckedError extends RedisUnavailableError {
  override readonly name = 'RedisNotCheckedError';
  constructor() {
    super('Redis is not checked yet (its memory settings and data layout): nothing is written to it before');
  }
}

/**
 * A command refused because Redis came back without ddup's data (restarted empty, replaced, flushed)
 * and no operator has accepted that yet (see RedisPreflight).
 */
export class RedisResetError extends RedisUnavailableError {
  override readonly name = 'RedisResetError';
  override get reason(): string {
    return 'redis_reset';
  }
}

export interface PreflightOptions {
  readonly onRefused: OnRefused;
  /** ALLOW_REDIS_RESET: a Redis that lost ddup's data is logged and counted, then used (an empty window). */
  readonly allowReset?: boolean;
  /** Called once each time this process finds Redis reset (a metric). */
  readonly onReset?: () => void;
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
  /** This process has seen ddup's layout records in Redis: finding them gone later means Redis lost its data. */
  #sawLayout = false;
  /** Why writes are held: Redis was reset and no operator has accepted it yet. */
  #reset: string | undefined;
  /** A held reset was accepted: said once the check that records the layout again has passed. */
  #resetAccepted = false;
  readonly #logger: Logger;
  readonly #warn: (error: unknown) => void;
  readonly #resetTimer: NodeJS.Timeout;

  constructor(redis: RedisConnection, commands: RedisCommands, store: Store, logger: Logger, options: PreflightOptions) {
    this.#redis = redis;
    this.#commands = commands;
    this.#store = store;
    this.#options = options;
    this.#logger = logger;
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
    // A reset that keeps the connection (FLUSHALL, a failover to an empty server) is found by a look now and then.
    this.#resetTimer = setInterval(() => void this.#lookForReset(), options.memoryIntervalMs ?? 5_000);
    this.#resetTimer.unref();
  }

  async #lookForReset(): Promise<void> {
    if (!this.#checked || this.#refused || this.#stopped || !this.#redis.isReady) return;
    try {
      if (await this.#holdsForReset()) {
        this.#checked = false;
        void this.#check(++this.#generation);
      }
    } catch {
      // Redis did not answer: the connection's own handling says so.
    }
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
        // A reset of Redis holds writes (looking again each round) until an operator accepts it.
        if ((await this.memory.look())?.reason !== 'eviction_policy' && !(await this.#holdsForReset())) {
          // The server may have been replaced by one with other data: checked at every connection.
          await checkLayout(this.#commands, layout, settings.indexCapacity);
          if (!this.#current(generation)) return;
          this.#sawLayout = true;
          this.#checked = true;
          this.#pass();
          // Said once the layout is recorded again, not before: until then this process may still write it.
          if (this.#resetAccepted) this.#logger.warn('Redis reset accepted: writing again, the dedup window starts empty');
          this.#resetAccepted = false;
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

  /**
   * Whether writes must wait because Redis lost ddup's data: this process saw the layout records
   * before and finds them gone (or another process found that), and no operator has accepted it
   * (`pnpm ddup accept-reset`, which sets ddup:meta:reset to accepted) nor ALLOW_REDIS_RESET.
   * A process that never saw the records takes an empty Redis for a first start.
   */
  async #holdsForReset(): Promise<boolean> {
    const marker = await readRedisReset(this.#commands);
    if (marker.state === 'pending' && !this.#options.allowReset) return this.#hold('another ddup process found it first');
    if (marker.state !== 'accepted' && this.#sawLayout && !(await hasRecordedLayout(this.#commands))) {
      if (this.#options.allowReset) {
        this.#noteReset('ALLOW_REDIS_RESET=true: going on with an empty dedup window');
        // Recorded again at once, so that the next look does not find (and count) the same reset.
        await checkLayout(this.#commands, this.#store.layout, this.#store.settings.indexCapacity);
        return false;
      }
      // For the other processes (and those started later); this one holds even if Redis refuses the note.
      await markRedisResetPending(this.#commands).catch(() => undefined);
      return this.#hold('found by this process');
    }
    if (this.#reset !== undefined) {
      this.#reset = undefined;
      this.#resetAccepted = true;
    }
    return false;
  }

  #hold(how: string): true {
    if (this.#reset === undefined) {
      this.#reset = `Redis came back without ddup's data (${how}): every remembered event is gone, so duplicates would be accepted again; nothing is written until an operator runs \`pnpm ddup accept-reset\` (or ALLOW_REDIS_RESET=true)`;
      this.#noteReset('writes held until it is accepted');
    }
    return true;
  }

  #noteReset(what: string): void {
    this.#logger.error(`Redis was reset: ddup's layout records (ddup:meta:*) are gone; ${what}`, { reason: 'redis_reset' });
    this.#options.onReset?.();
  }

  /** Why writes are held after a reset of Redis, or undefined (what /readyz reports as `redis_reset`). */
  get resetDetail(): string | undefined {
    return this.#reset;
  }

  /**
   * Checks now whether Redis was reset (for a consumer about to recreate its group on a stream that
   * is gone); rejects with RedisResetError while a reset is held.
   */
  async ensureNotReset(): Promise<void> {
    if (await this.#holdsForReset()) throw new RedisResetError(this.#reset);
  }

  /** Whether this connection got through both checks and nothing was refused: what gate() lets through. */
  get hasPassed(): boolean {
    return this.#checked && !this.#refused;
  }

  /** `commands`, each refused with RedisNotCheckedError until this connection's check has passed, and for good after a refusal. */
  gate(commands: RedisCommands): RedisCommands {
    const check = () => {
      // While disconnected the command fails as it would anyway (no offline queue): "not reachable".
      if (this.#reset !== undefined) throw new RedisResetError(this.#reset);
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
    clearInterval(this.#resetTimer);
    this.memory.stop();
  }
}
