import { setTimeout as sleep } from 'node:timers/promises';
import { createCluster } from '@redis/client';
import type { RedisTarget } from '@ddup/config';
import { rateLimited } from './log.ts';
import { reconnectDelayMs } from './reconnect.ts';
import type { RedisConnection, RedisConnectionOptions } from './redis-connection.ts';
import { routingKeyOf } from './routing-key.ts';

/** Credentials and TLS come from the first seed node's URL and apply to every node found. */
function nodeDefaults(firstNodeUrl: string) {
  const url = new URL(firstNodeUrl);
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === 'rediss:',
  };
}

/**
 * A node-redis cluster client behind the RedisConnection interface: each command goes to the
 * master of its first key, over one connection per master, so commands of one shard stay in
 * order on one connection (WAIT after an admission covers that admission).
 */
export function createClusterConnection(target: Extract<RedisTarget, { kind: 'cluster' }>, options: RedisConnectionOptions): RedisConnection {
  const { tls, ...credentials } = nodeDefaults(target.nodes[0] ?? '');
  const socket = { connectTimeout: Math.max(options.commandTimeoutMs, 1_000), reconnectStrategy: reconnectDelayMs, tls } as const;
  const cluster = createCluster({
    rootNodes: target.nodes.map((url) => ({ url })),
    defaults: { ...credentials, name: options.name, disableOfflineQueue: true, commandsQueueMaxLength: 100_000, socket },
    RESP: 2,
    commandOptions: { timeout: 0 },
    // A master that stops answering is usually being failed over: look for the new topology soon.
    topologyRefreshOnReconnectionAttemptStrategy: 500,
  });
  let lastError = '';
  const logError = rateLimited(5_000, (suppressed) => {
    options.logger.warn('redis cluster connection problem', { error: lastError, suppressed });
  });
  const noteError = (error: Error) => {
    lastError = error.message || error.name;
    logError();
  };
  cluster.on('error', noteError);
  cluster.on('node-error', noteError);

  const readyListeners: (() => void)[] = [];
  let closed = false;
  const connectUntilClosed = async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        await cluster.connect();
        for (const listener of readyListeners) listener();
        return;
      } catch (error) {
        if (attempt === 0) options.logger.warn('redis cluster not reachable yet; retrying in the background', { error: String(error) });
        await sleep(reconnectDelayMs(attempt));
      }
    }
  };

  const send = <T>(args: readonly string[]) => cluster.sendCommand<T>(routingKeyOf(args), false, [...args]);
  return {
    target,
    get isReady() {
      return cluster.isReady;
    },
    readsAcrossShards: false,
    sendCommand: send,
    async waitForReplicas(keys, replicas, timeoutMs) {
      const wait = ['WAIT', String(replicas), String(timeoutMs)];
      const acknowledged = await Promise.all([...new Set(keys)].map((key) => cluster.sendCommand<number>(key, false, wait)));
      return Math.min(...acknowledged);
    },
    sendToEachMaster: <T>(args: readonly string[]) =>
      Promise.all(cluster.masters.map(async (master) => (await cluster.nodeClient(master)).sendCommand<T>([...args]))),
    async untilReady(signal) {
      while (!cluster.isReady) {
        signal?.throwIfAborted();
        await sleep(50, undefined, signal ? { signal } : {});
      }
    },
    onReady(listener) {
      readyListeners.push(listener);
    },
    async connect() {
      await cluster.connect();
      for (const listener of readyListeners) listener();
    },
    connectInBackground() {
      void connectUntilClosed();
    },
    close: async () => {
      closed = true;
      if (cluster.isOpen) await cluster.close();
    },
    destroy: () => {
      closed = true;
      if (cluster.isOpen) cluster.destroy();
    },
  };
}
