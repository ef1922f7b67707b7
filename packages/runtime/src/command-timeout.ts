/** Redis did not answer a command in time. The command may still run when Redis wakes up. */
export class CommandTimeoutError extends Error {
  override readonly name = 'CommandTimeoutError';
  constructor(readonly command: string, readonly timeoutMs: number) {
    super(`Redis did not answer ${command} within ${timeoutMs} ms`);
  }
}

interface RawSender {
  sendCommand<T = unknown>(args: readonly string[]): Promise<T>;
}

/**
 * A sender whose commands fail after `timeoutMs`. node-redis 6.3's own command timeout does not
 * fire for a command already written to a server that stopped answering (seen with SIGSTOP), and a
 * gateway request must never hang on Redis, so the bound is kept here.
 */
export function withCommandTimeout(redis: RawSender, timeoutMs: number): RawSender {
  return {
    sendCommand<T>(args: readonly string[]): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CommandTimeoutError(args[0] ?? '?', timeoutMs)), timeoutMs);
      });
      return Promise.race([redis.sendCommand<T>(args), timeout]).finally(() => clearTimeout(timer));
    },
  };
}
