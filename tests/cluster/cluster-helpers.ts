import { fileURLToPath } from 'node:url';
import { createCluster } from '@redis/client';
import { CONSUMER_GROUP, allEventsStreamKeys } from '@ddup/redis-keys';
import { routingKeyOf } from '@ddup/runtime';
import type { TestCluster, TestRedis } from '@ddup/test-utils';

export const GATEWAY_MAIN = fileURLToPath(new URL('../../apps/gateway/src/main.ts', import.meta.url));
export const CONSUMER_MAIN = fileURLToPath(new URL('../../apps/consumer/src/main.ts', import.meta.url));
export const DEAD_LETTERS_CLI = fileURLToPath(new URL('../../apps/ddup/src/dead-letters-cli.ts', import.meta.url));

/** A cluster client for assertions: commands routed by their first key, as ddup routes them. */
export async function connectAsserter(cluster: TestCluster) {
  const client = createCluster({ rootNodes: cluster.nodes.map((node) => ({ url: node.url })), RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
  return {
    send: <T>(args: readonly string[]) => client.sendCommand<T>(routingKeyOf(args), false, [...args]),
    close: () => client.close(),
  };
}
export type Asserter = Awaited<ReturnType<typeof connectAsserter>>;

/** The nodes that are masters now (after a failover, a former replica is one). */
export async function currentMasters(cluster: TestCluster, skip: ReadonlySet<TestRedis> = new Set()): Promise<TestRedis[]> {
  const masters: TestRedis[] = [];
  for (const node of cluster.nodes) {
    if (skip.has(node)) continue;
    const client = await node.client();
    const [role] = await client.sendCommand<[string]>(['ROLE']);
    if (role === 'master') masters.push(node);
  }
  return masters;
}

/** XINFO GROUPS of one stream as a record, for the ddup-workers group. */
export async function workersGroup(redis: Asserter, stream: string): Promise<Record<string, unknown>> {
  const groups = await redis.send<unknown[][]>(['XINFO', 'GROUPS', stream]);
  const flat = groups.find((group) => group[1] === CONSUMER_GROUP) ?? [];
  const info: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
  return info;
}

/** True once no shard has anything pending or unread by ddup-workers. */
export async function allConfirmed(redis: Asserter, shards: number): Promise<boolean> {
  for (const stream of allEventsStreamKeys(shards)) {
    const group = await workersGroup(redis, stream).catch(() => undefined);
    if (!group || group.pending !== 0 || group['entries-read'] !== (await streamEntriesAdded(redis, stream))) return false;
  }
  return true;
}

export async function streamEntriesAdded(redis: Asserter, stream: string): Promise<number> {
  const info = await redis.send<unknown[]>(['XINFO', 'STREAM', stream]);
  const index = info.indexOf('entries-added');
  return Number(info[index + 1]);
}
