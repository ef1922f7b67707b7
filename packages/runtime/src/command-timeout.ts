import type { RedisArgument } from '@ddup/store';
import type { PinnedSender, RedisCommands } from './redis-types.ts';

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

/**
 * Commands that fail after `timeoutMs`. node-redis 6.3's own command timeout does not fire for a
 * command already written to a server that stopped answering (seen with SIGSTOP), and a gateway
 * request must never hang on Redis, so the bound is kept here.
 */
export function withCommandTimeout(redis: RedisCommands, timeoutMs: number): RedisCommands {
  return {
    sendCommand: <T>(args: readonly RedisArgument[]) => withTimeout(redis.sendCommand<T>(args), timeoutMs, String(args[0] ?? '?')),
    async pinnedTo(key: string): Promise<PinnedSender> {
      const pinned = await withTimeout(redis.pinnedTo(key), timeoutMs, 'connect');
      return {
        sendCommand: <T>(args: readonly RedisArgument[]) => withTimeout(pinned.sendCommand<T>(args), timeoutMs, String(args[0] ?? '?')),
        sameConnection: () => pinned.sameConnection(),
        connection: pinned.connection,
      };
    },
    sendToEachMaster: <T>(args: readonly RedisArgument[]) => withTimeout(redis.sendToEachMaster<T>(args), timeoutMs, String(args[0] ?? '?')),
  };
}
