import type { PinnedSender, RedisArgument, RedisCommands } from './redis-types.ts';

/** Redis did not answer a command in time. The command may still run when Redis wakes up. */
export class CommandTimeoutError extends Error {
  override readonly name = 'CommandTimeoutError';
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`Redis did not answer ${command} within ${timeoutMs} ms`);
  }
}

/** `promise`, or a CommandTimeoutError naming `what` after `timeoutMs`. One timer, however much work `promise` covers. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CommandTimeoutError(what, timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Deadline {
  readonly at: number;
  readonly what: string;
  readonly reject: (error: CommandTimeoutError) => void;
}

/**
 * The deadlines of many commands, watched by one timer. A timer and a race of promises per
 * command (withTimeout) cost the gateway more than its own work on the command did; here a
 * command costs one promise and a set entry. All deadlines are `timeoutMs` long, so they fall due
 * in the order they were set, and a sweep stops at the first that has not. A command fails at most
 * `sweepMs` later than its deadline.
 */
class CommandDeadlines {
  readonly #pending = new Set<Deadline>();
  readonly #sweepMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly timeoutMs: number) {
    this.#sweepMs = Math.max(5, Math.min(250, Math.floor(timeoutMs / 8)));
  }

  bound<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline: Deadline = { at: performance.now() + this.timeoutMs, what, reject };
      this.#pending.add(deadline);
      this.#timer ??= setInterval(() => this.#sweep(), this.#sweepMs).unref();
      promise.then(
        (value) => {
          this.#pending.delete(deadline);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(deadline);
          reject(error);
        },
      );
    });
  }

  #sweep(): void {
    const now = performance.now();
    for (const deadline of this.#pending) {
      if (deadline.at > now) return;
      this.#pending.delete(deadline);
      deadline.reject(new CommandTimeoutError(deadline.what, this.timeoutMs));
    }
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

/**
 * Commands that fail after `timeoutMs` (at most an eighth of it, and 250 ms, later). node-redis 6.3's own command timeout does not fire for a
 * command already written to a server that stopped answering (seen with SIGSTOP), and a gateway
 * request must never hang on Redis, so the bound is kept here.
 */
export function withCommandTimeout(redis: RedisCommands, timeoutMs: number): RedisCommands {
  const deadlines = new CommandDeadlines(timeoutMs);
  return {
    sendCommand: <T>(args: readonly RedisArgument[]) => deadlines.bound(redis.sendCommand<T>(args), String(args[0] ?? '?')),
    async pinnedTo(key: string): Promise<PinnedSender> {
      const pinned = await withTimeout(redis.pinnedTo(key), timeoutMs, 'connect');
      return {
        sendCommand: <T>(args: readonly RedisArgument[]) => deadlines.bound(pinned.sendCommand<T>(args), String(args[0] ?? '?')),
        sameConnection: () => pinned.sameConnection(),
        connection: pinned.connection,
      };
    },
    sendToEachMaster: <T>(args: readonly RedisArgument[]) => deadlines.bound(redis.sendToEachMaster<T>(args), String(args[0] ?? '?')),
  };
}
