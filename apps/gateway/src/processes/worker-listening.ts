import cluster from 'node:cluster';
import { isClusterMessage } from './cluster-figures.ts';

const LISTENING = { ddup: 'listening' } as const;

/**
 * A gateway worker tells its primary that it listens (gateway-primary.ts then takes a later death
 * for a crash to restart, not a start-up that cannot work). A message rather than node:cluster's
 * 'listening' event, which Bun.serve does not emit. Nothing outside a cluster worker.
 */
export function announceListening(): void {
  if (cluster.isWorker) process.send?.(LISTENING);
}

export function isListeningMessage(message: unknown): boolean {
  return isClusterMessage<typeof LISTENING>(message, LISTENING.ddup);
}
