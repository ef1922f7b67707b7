import { type RedisTarget, describeRedisTarget } from '@ddup/config';
import { type Logger, errorText, rateLimitedWarning } from './log.ts';
import type { RedisConnection } from './redis-types.ts';

/** How often a Redis that does not answer is reported: one line per process this often. */
export const OUTAGE_REPORT_INTERVAL_MS = 5_000;

export interface OutageReport {
  /** An error of the connection: remembered for the next outage line, or logged (rate-limited) while the connection is ready. */
  noteError(error: unknown): void;
  stop(): void;
}

/**
 * One warning every OUTAGE_REPORT_INTERVAL_MS while the connection is not ready, naming the
 * address, how long it has not answered, and the last error (none when a server accepts the
 * connection and never replies, which node-redis does not report at all). With `report` false
 * (a pool's other connections to the same Redis) only errors while ready are logged.
 */
export function reportOutages(target: RedisTarget, connectionLogger: Logger, isReady: () => boolean, report = true): OutageReport {
  const redis = describeRedisTarget(target);
  const logger = connectionLogger.child({ redis });
  const warnWhileReady = rateLimitedWarning(logger, 'redis connection problem');
  let lastError: string | undefined;
  let unreadySince: number | undefined = Date.now();
  const timer = report
    ? setInterval(() => {
        if (isReady()) {
          unreadySince = undefined;
          return;
        }
        const now = Date.now();
        unreadySince ??= now;
        const seconds = Math.round((now - unreadySince) / 1000);
        if (seconds === 0) return;
        logger.warn(`redis at ${redis} has not answered for ${seconds} s; still trying`, {
          seconds,
          error: lastError ?? 'no reply (connected, or connecting, and nothing answered)',
        });
      }, OUTAGE_REPORT_INTERVAL_MS).unref()
    : undefined;
  return {
    noteError(error) {
      lastError = errorText(error);
      if (isReady() || !report) warnWhileReady(error);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * REDIS_CONNECT_TIMEOUT_MS at start-up: when `redis` is not ready within `timeoutMs`, logs one
 * line naming the address and calls `onTimeout` (an entry point exits 2 there). A Redis that never
 * answers at start-up is more likely a wrong address than an outage, and waiting helps nobody.
 * 0: waits for ever (nothing is done).
 */
export function onNotReadyWithin(redis: Pick<RedisConnection, 'untilReady' | 'target'>, timeoutMs: number, logger: Logger, onTimeout: () => void): void {
  if (timeoutMs === 0) return;
  redis.untilReady(AbortSignal.timeout(timeoutMs)).catch(() => {
    logger.error(`redis at ${describeRedisTarget(redis.target)} did not answer within REDIS_CONNECT_TIMEOUT_MS=${timeoutMs}; exiting`);
    onTimeout();
  });
}
