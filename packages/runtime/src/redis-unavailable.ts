import { DisconnectsClientError, ErrorReply, MaxCommandRedirectionsError, RootNodesUnavailableError, TimeoutError } from '@redis/client';
import { CommandTimeoutError } from './command-timeout.ts';
import { isClusterTransitionReply, isConnectionError } from './redis-errors.ts';

/**
 * An error raised by ddup's own code that means Redis cannot serve now (not that the command was
 * wrong): the preflight's, the gateway's replication checks. They extend this class so that
 * isRedisUnavailable knows them without this package knowing the packages above it.
 */
export class RedisUnavailableError extends Error {
  /** The word /readyz uses for this state, if it has one (`redis_reset`); a getter, so logs of the error stay as they were. */
  get reason(): string | undefined {
    return undefined;
  }
}

/** Server replies that mean "this node cannot serve now", not "your command is wrong" (cluster transitions besides). */
const TRANSIENT_REPLY = /^(LOADING|MASTERDOWN|BUSY|READONLY|OOM|MISCONF|NOREPLICAS)\b/;

/** Redis refused a write for lack of memory (`OOM command not allowed when used memory > 'maxmemory'`). */
export function isOutOfMemoryReply(error: unknown): boolean {
  return error instanceof ErrorReply && error.message.startsWith('OOM');
}

/**
 * The `reason` of a 503 for an error isRedisUnavailable accepts: /readyz's word where it has one
 * (`out_of_memory`, `redis_reset`), else the error's own text.
 */
export function unavailableReasonOf(error: Error): string {
  if (isOutOfMemoryReply(error)) return 'out_of_memory';
  return (error instanceof RedisUnavailableError ? error.reason : undefined) ?? (error.message || error.name);
}

/**
 * True when `error` says Redis is unreachable or temporarily unable to serve, which the gateway
 * answers with 503 + Retry-After rather than 500.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (
    isConnectionError(error) ||
    isClusterTransitionReply(error) ||
    // A cluster connection being replaced after a failover, or no node of it reachable.
    error instanceof DisconnectsClientError ||
    error instanceof RootNodesUnavailableError ||
    error instanceof MaxCommandRedirectionsError ||
    error instanceof TimeoutError ||
    error instanceof CommandTimeoutError ||
    error instanceof RedisUnavailableError
  ) {
    return true;
  }
  if (error instanceof ErrorReply) return TRANSIENT_REPLY.test(error.message);
  return error instanceof Error && /The client is closed|The queue is full/.test(error.message);
}
