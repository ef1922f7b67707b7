import type { Logger, RedisCommands, RedisConnection } from '@ddup/runtime';
import { type RedisMemoryProblem, memoryProblemOf, readMemoryStates } from './memory-state.ts';
import type { OnRefused } from './refusal.ts';

export interface MemoryWatchOptions {
  /** How often to look while connected, besides at every (re)connection (RedisPreflight's look); 5 s by default. */
  readonly intervalMs?: number;
  /**
   * Called when the first look of this process finds a policy that can evict: ddup must not start
   * on such a Redis. Later findings (a policy changed under a running process) are logged and
   * reported by `problem` instead, for /readyz.
   */
  readonly onRefused: OnRefused;
}

/**
 * Keeps an eye on what Redis's memory settings mean for ddup (on a cluster, every master's): an
 * eviction policy other than `noeviction`, or a Redis out of memory that refuses writes. It looks
 * at every (re)connection (through RedisPreflight) and every `intervalMs`, logs each change once, and `look()` gives a
 * fresh answer (what /readyz reports).
 */
export class RedisMemoryWatch {
  #problem: RedisMemoryProblem | undefined;
  #looked = false;
  #limited = false;
  readonly #commands: RedisCommands;
  readonly #logger: Logger;
  readonly #options: MemoryWatchOptions;
  readonly #timer: NodeJS.Timeout;

  constructor(redis: RedisConnection, commands: RedisCommands, logger: Logger, options: MemoryWatchOptions) {
    this.#commands = commands;
    this.#logger = logger;
    this.#options = options;
    // The look at each (re)connection is the preflight's, before anything is written.
    this.#timer = setInterval(() => redis.isReady && void this.look().catch(() => undefined), options.intervalMs ?? 5_000);
    this.#timer.unref();
  }

  /** The problem found by the latest look, if any. */
  get problem(): RedisMemoryProblem | undefined {
    return this.#problem;
  }

  /** Whether some master had a `maxmemory` at the latest look (without one, Redis never refuses for memory). */
  get limited(): boolean {
    return this.#limited;
  }

  /** Reads INFO memory of every master now; rejects when Redis does not answer. */
  async look(): Promise<RedisMemoryProblem | undefined> {
    const states = await readMemoryStates(this.#commands);
    this.#limited = states.some((state) => state.maxBytes > 0);
    const problem = memoryProblemOf(states);
    const first = !this.#looked;
    this.#looked = true;
    const previous = this.#problem;
    this.#problem = problem;
    if (first && problem?.reason === 'eviction_policy') {
      this.#options.onRefused({ reason: 'eviction_policy', detail: problem.detail });
    } else if (problem && problem.reason !== previous?.reason) {
      this.#logger.error(problem.detail, { reason: problem.reason });
    } else if (!problem && previous) {
      this.#logger.info('Redis can serve again', { was: previous.reason });
    }
    return problem;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
