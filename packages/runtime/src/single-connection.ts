import { once } from 'node:events';
import { createClient } from '@redis/client';
import type { RedisTarget } from '@ddup/config';
import { reportOutages } from './outage-report.ts';
import { reconnectDelayMs } from './reconnect.ts';
import type { RedisArgument, RedisConnection, RedisConnectionOptions } from './redis-types.ts';

/** A node-redis client to one server behind the RedisConnection interface. */
export function createSingleConnection(target: Extract<RedisTarget, { kind: 'single' }>, options: RedisConnectionOptions): RedisConnection {
  const client = createClient({
    url: target.url,
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
  const outages = reportOutages(target, options.logger, () => client.isReady, options.reportOutages);
  client.on('error', (error: unknown) => outages.noteError(error));
  const send = <T>(args: readonly RedisArgument[]) => client.sendCommand<T>(args);
  let connections = 0;
  client.on('ready', () => connections++);
  return {
    target,
    get isReady() {
      return client.isReady;
    },
    readsAcrossShards: true,
    sendCommand: send,
    async pinnedTo() {
      const pinnedAt = connections;
      return { sendCommand: send, sameConnection: () => connections === pinnedAt && client.isReady, connection: client };
    },
    sendToEachMaster: async (args) => [await send(args)],
    async untilReady(signal) {
      if (!client.isReady) await once(client, 'ready', signal ? { signal } : {});
    },
    onReady(listener) {
      client.on('ready', listener);
    },
    async connect() {
      await client.connect();
    },
    connectInBackground() {
      // Failures are retried by the reconnect strategy and reported by `outages`.
      client.connect().catch((error: unknown) => outages.noteError(error));
    },
    async close() {
      outages.stop();
      // Not ready, nothing will answer: waiting for replies would hang a stop for good.
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    },
    destroy: () => {
      outages.stop();
      client.destroy();
    },
  };
}
