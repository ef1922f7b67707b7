import { setTimeout as sleep } from 'node:timers/promises';
import { createCluster } from '@redis/client';
import type { RedisTarget } from '@ddup/config';
import { withTimeout } from './command-timeout.ts';
import { reportOutages } from './outage-report.ts';
import { isClusterTransitionReply, isConnectionError } from './redis-errors.ts';
import { reconnectDelayMs } from './reconnect.ts';
import type { PinnedSender, RedisArgument, RedisConnection, RedisConnectionOptions } from './redis-types.ts';
import { routingKeyOf } from './routing-key.ts';

/**
 * How often, at most, a failing cluster connection is rebuilt from a fresh view of the topology;
 * doubled (up to the maximum) after each rebuild that found nothing new, reset by one that did.
 */
const REBUILD_INTERVAL_MS = 1_000;
const MAX_REBUILD_INTERVAL_MS = 30_000;

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
 * A failure that says the topology may have changed: no connection to the node, or a cluster
 * reply of a topology in transition. Not overload ("queue is full") nor our own timeouts:
 * rebuilding would only drop healthy work.
 */
function suggestsTopologyChange(error: unknown): boolean {
  return isConnectionError(error) || isClusterTransitionReply(error);
}

/** A cluster client's masters, as `host:port`, sorted. */
function masterAddresses(client: { readonly masters: readonly { readonly address: string }[] }): string[] {
  return client.masters.map((master) => master.address).sort();
}

/** Connections (re)established by each node client, to tell a WAIT's connection from its write's. */
const readyCounts = new WeakMap<object, { count: number }>();
function readyCountOf(client: { on(event: 'ready', listener: () => void): unknown }): { count: number } {
  let counter = readyCounts.get(client);
  if (!counter) {
    const created = { count: 0 };
    client.on('ready', () => created.count++);
    readyCounts.set(client, created);
    counter = created;
  }
  return counter;
}

/**
 * A node-redis cluster client behind the RedisConnection interface: each command goes to the
 * master of its first key, over one connection per master, so commands of one shard stay in
 * order on one connection (WAIT after an admission covers that admission).
 *
 * After a master dies, node-redis 6.3 reloads the topology while it reconnects, but in tests
 * here it sometimes stayed stuck on the dead master for good (a reload started before the
 * failover waits on a connection to the dead node that never comes, and commands for its slots
 * then wait too). So when a master of the topology has had no ready connection for a second, or
 * a command fails for want of a connection (or CLUSTERDOWN), this connection builds a new client
 * from the seed nodes and, once it has connected, swaps it in if its masters differ (backing off
 * while they do not). (A PING would not do as the test: behind a WAIT on the same connection it
 * can take a while on a healthy master.)
 */
export function createClusterConnection(target: Extract<RedisTarget, { kind: 'cluster' }>, options: RedisConnectionOptions): RedisConnection {
  const { tls, ...credentials } = nodeDefaults(target.nodes[0] ?? '');
  const connectTimeout = Math.max(options.commandTimeoutMs, 1_000);
  // Set once the client below exists.
  let clusterReady = () => false;
  const outages = reportOutages(target, options.logger, () => clusterReady(), options.reportOutages);
  const noteError = (error: unknown) => outages.noteError(error);
  const build = () => {
    const client = createCluster({
      rootNodes: target.nodes.map((url) => ({ url })),
      defaults: {
        ...credentials,
        name: options.name,
        disableOfflineQueue: true,
        commandsQueueMaxLength: 100_000,
        socket: { connectTimeout, reconnectStrategy: reconnectDelayMs, tls },
      },
      RESP: 2,
      commandOptions: { timeout: 0 },
      // A master that went away is usually being failed over: reload the topology 0.5 s into the
      // reconnection attempts rather than after the default 5 s.
      topologyRefreshOnReconnectionAttemptStrategy: 500,
    });
    client.on('error', noteError);
    client.on('node-error', noteError);
    return client;
  };

  let cluster = build();
  clusterReady = () => cluster.isReady;
  const readyListeners: (() => void)[] = [];
  let closed = false;
  let rebuilding = false;
  let lastRebuild = 0;
  let rebuildInterval = REBUILD_INTERVAL_MS;

  const rebuild = () => {
    if (closed || rebuilding || !cluster.isReady || Date.now() - lastRebuild < rebuildInterval) return;
    rebuilding = true;
    rebuildInterval = Math.min(rebuildInterval * 2, MAX_REBUILD_INTERVAL_MS);
    void (async () => {
      const next = build();
      try {
        // Connecting waits for every master listed; one that is dead (not failed over yet) never connects.
        await withTimeout(next.connect(), connectTimeout, 'cluster connect');
      } catch {
        next.destroy();
        return;
      }
      // A close() during the rebuild, or a discovery that went on after the timeout: nothing may leak.
      if (closed) return next.destroy();
      // Same masters as now: nothing to gain from swapping (a master is down, not failed over).
      const masters = masterAddresses(next);
      if (masters.join(',') === masterAddresses(cluster).join(',')) return next.destroy();
      const previous = cluster;
      cluster = next;
      rebuildInterval = REBUILD_INTERVAL_MS;
      // Let commands already sent get their replies (bounded); new ones go to `next`.
      void withTimeout(previous.close(), connectTimeout, 'close').catch(() => previous.destroy());
      options.logger.info('redis cluster topology reloaded', { masters });
      for (const listener of readyListeners) listener();
    })().finally(() => {
      rebuilding = false;
      lastRebuild = Date.now();
    });
  };

  /** `call`, and a rebuild in the background if it failed for want of a node. */
  const watched = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (suggestsTopologyChange(error)) rebuild();
      throw error;
    }
  };

  let unreadyTicks = 0;
  const watchdog = setInterval(() => {
    const masterDown = cluster.isReady && cluster.masters.some((master) => master.client?.isReady !== true);
    unreadyTicks = masterDown ? unreadyTicks + 1 : 0;
    if (unreadyTicks >= 2) rebuild();
  }, REBUILD_INTERVAL_MS / 2).unref();

  const connectUntilClosed = async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        await withTimeout(cluster.connect(), connectTimeout, 'cluster connect');
        for (const listener of readyListeners) listener();
        return;
      } catch (error) {
        noteError(error);
        // A connect that failed or hung leaves the client unusable: start again with a new one.
        if (cluster.isOpen) cluster.destroy();
        cluster = build();
        await sleep(reconnectDelayMs(attempt));
      }
    }
  };

  return {
    target,
    get isReady() {
      return cluster.isReady;
    },
    readsAcrossShards: false,
    sendCommand: <T>(args: readonly RedisArgument[]) => watched(() => cluster.sendCommand<T>(routingKeyOf(args), false, [...args])),
    // Straight to the node client: node-redis routes a raw WAIT to every master (its policy for
    // WAIT), whatever key it is given, and between two routed commands the slot's node may change.
    async pinnedTo(key: string): Promise<PinnedSender> {
      const current = cluster;
      const client = await watched(() => current.getNodeClientForKey(key));
      const counter = readyCountOf(client);
      const pinnedAt = counter.count;
      return {
        sendCommand: <T>(args: readonly RedisArgument[]) => watched(() => client.sendCommand<T>([...args])),
        sameConnection: () => cluster === current && counter.count === pinnedAt && client.isReady,
        connection: client,
      };
    },
    sendToEachMaster: <T>(args: readonly RedisArgument[]) =>
      watched(() => {
        const current = cluster;
        return Promise.all(current.masters.map(async (master) => (await current.nodeClient(master)).sendCommand<T>([...args])));
      }),
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
      clearInterval(watchdog);
      outages.stop();
      // Not ready, nothing will answer: waiting for replies would hang a stop for good.
      if (cluster.isReady) await cluster.close();
      else if (cluster.isOpen) cluster.destroy();
    },
    destroy: () => {
      closed = true;
      clearInterval(watchdog);
      outages.stop();
      if (cluster.isOpen) cluster.destroy();
    },
  };
}
