import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  MaxCommandRedirectionsError,
  RootNodesUnavailableError,
  SocketClosedUnexpectedlyError,
  TimeoutError,
} from '@redis/client';
import { CommandTimeoutError } from '@ddup/runtime';
import { ReplicationTimeoutError, ReplicationUnconfirmedError } from './admission.ts';

/**
 * Server replies that mean "this node cannot serve now", not "your command is wrong". The WAIT
 * one comes from a cluster node demoted to replica under our feet (a failed master restarting).
 */
const TRANSIENT_REPLY = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|BUSY|READONLY|OOM|MISCONF|NOREPLICAS)\b|^ERR WAIT cannot be used with replica/;

/**
 * True when `error` says Redis is unreachable or temporarily unable to serve, which the gateway
 * answers with 503 + Retry-After rather than 500.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError ||
    error instanceof ConnectionTimeoutError ||
    // A cluster connection being replaced after a failover, or no node of it reachable.
    error instanceof DisconnectsClientError ||
    error instanceof RootNodesUnavailableError ||
    error instanceof MaxCommandRedirectionsError ||
    error instanceof SocketClosedUnexpectedlyError ||
    error instanceof TimeoutError ||
    error instanceof CommandTimeoutError ||
    error instanceof ReplicationTimeoutError ||
    error instanceof ReplicationUnconfirmedError
  ) {
    return true;
  }
  if (error instanceof ErrorReply) return TRANSIENT_REPLY.test(error.message);
  return error instanceof Error && /ECONNREFUSED|ECONNRESET|EPIPE|The client is closed|The queue is full|Cannot find node/.test(error.message);
}
