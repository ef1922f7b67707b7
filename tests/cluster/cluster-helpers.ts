import { fileURLToPath } from 'node:url';
import { allEventsStreamKeys } from '@ddup/store';
import { type TestCluster, type TestClusterClient, type TestRedis, workersGroupInfo } from '@ddup/test-utils';

export const GATEWAY_MAIN = fileURLToPath(new URL('../../apps/gateway/src/main.ts', import.meta.url));
export const CONSUMER_MAIN = fileURLToPath(new URL('../../apps/consumer/src/main.ts', import.meta.url));
export const DDUP_CLI = fileURLToPath(new URL('../../apps/ddup/src/cli/main.ts', import.meta.url));

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

/** True once no shard has anything pending or unread by ddup-workers. */
export async function allConfirmed(redis: TestClusterClient, shards: number): Promise<boolean> {
  for (const stream of allEventsStreamKeys(shards)) {
    const group = await workersGroupInfo(redis, stream).catch(() => undefined);
    if (group?.pending !== 0 || group['entries-read'] !== (await streamEntriesAdded(redis, stream))) return false;
  }
  return true;
}

export async function streamEntriesAdded(redis: TestClusterClient, stream: string): Promise<number> {
  const info = await redis.sendCommand<unknown[]>(['XINFO', 'STREAM', stream]);
  const index = info.indexOf('entries-added');
  return Number(info[index + 1]);
}
