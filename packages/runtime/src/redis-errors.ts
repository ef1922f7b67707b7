import { ClientClosedError, ClientOfflineError, ConnectionTimeoutError, ErrorReply, SocketClosedUnexpectedlyError } from '@redis/client';

/** No connection to the server (or cluster node): offline, closed, refused, reset, or not reached in time. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof ErrorReply) return false;
  return (
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError ||
    error instanceof SocketClosedUnexpectedlyError ||
    error instanceof ConnectionTimeoutError ||
    (error instanceof Error && /ECONNREFUSED|ECONNRESET|EPIPE|Cannot find node/.test(error.message))
  );
}

/**
 * Cluster replies while the topology changes: down, slot moving or moved, or a WAIT reaching a
 * node demoted to replica under our feet (a failed master restarting).
 */
export function isClusterTransitionReply(error: unknown): boolean {
  return error instanceof ErrorReply && /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK)\b|^ERR WAIT cannot be used with replica/.test(error.message);
}
