import { createCluster } from '@redis/client';
import { routingKeyOf } from '@ddup/runtime';
import type { TestRedis } from './test-redis.ts';

/** A cluster client for assertions, commands routed by their first key as ddup routes them. */
export interface TestClusterClient {
  sendCommand<T = unknown>(args: readonly string[]): Promise<T>;
  close(): Promise<void>;
}

/** Connects through `nodes` (every node of a test cluster, or the ones still alive). */
export async function connectTestCluster(nodes: readonly TestRedis[]): Promise<TestClusterClient> {
  const client = createCluster({ rootNodes: nodes.map((node) => ({ url: node.url })), RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
  return {
    sendCommand: <T>(args: readonly string[]) => client.sendCommand<T>(routingKeyOf(args), false, [...args]),
    close: () => client.close(),
  };
}
