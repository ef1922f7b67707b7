import type { RedisArgument } from '@ddup/store';
import { once } from 'node:events';
import { createClient } from '@redis/client';
import type { RedisTarget } from '@ddup/config';
import { rateLimitedWarning } from './log.ts';
import { reconnectDelayMs } from './reconnect.ts';
import type { RedisConnection, RedisConnectionOptions } from './redis-types.ts';

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
  client.on('error', rateLimitedWarning(options.logger, 'redis connection problem'));
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
      client.connect().catch((error: unknown) => {
        options.logger.warn('redis not reachable yet; retrying in the background', { error });
      });
    },
    close: () => client.close(),
    destroy: () => client.destroy(),
  };
}
