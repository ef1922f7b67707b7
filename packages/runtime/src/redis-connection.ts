import { createClient } from '@redis/client';
import { type Logger, rateLimited } from './log.ts';

export interface RedisConnectionOptions {
  readonly url: string;
  /** CLIENT SETNAME, so `CLIENT LIST` shows who is who. */
  readonly name: string;
  /** A command not answered within this time fails (it may still have run). */
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

/** Reconnect quickly at first, then every 2 s at most, for ever: an outage must end by itself. */
export function reconnectDelayMs(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 2_000);
}

/**
 * A node-redis client set up for a service that must fail fast: commands are rejected at once
 * while disconnected (no offline queue, so a request never hangs waiting for Redis), time out
 * after `commandTimeoutMs`, and replies keep the RESP2 shapes the code is written against.
 */
export function createRedisConnection(options: RedisConnectionOptions) {
  const client = createClient({
    url: options.url,
    name: options.name,
    RESP: 2,
    disableOfflineQueue: true,
    // Bounds memory while Redis hangs with the connection open; a full queue fails fast.
    commandsQueueMaxLength: 100_000,
    // node-redis's own per-command timeout builds an AbortSignal per command (7% of a consumer's
    // CPU and much of its GC in a profile) and did not fire against a frozen Redis anyway; ddup
    // bounds calls itself (withCommandTimeout, withTimeout), so it is switched off.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
      reconnectStrategy: reconnectDelayMs,
    },
  });
  let lastError = '';
  const logError = rateLimited(5_000, (suppressed) => {
    options.logger.warn('redis connection problem', { error: lastError, suppressed });
  });
  client.on('error', (error: Error) => {
    lastError = error.message || error.name;
    logError();
  });
  client.on('ready', () => options.logger.info('redis ready', { url: redactUrl(options.url) }));
  return client;
}

export type RedisConnection = ReturnType<typeof createRedisConnection>;

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}

/** Starts connecting in the background; the first failure is logged, retries go on. */
export function connectInBackground(client: RedisConnection, logger: Logger): void {
  client.connect().catch((error: unknown) => {
    logger.warn('redis not reachable yet; retrying in the background', { error: String(error) });
  });
}
