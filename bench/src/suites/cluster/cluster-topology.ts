import { allEventsStreamKeys } from '@ddup/store';
import { connectTestCluster, startTestCluster } from '@ddup/test-utils';
import { startRedisNode } from '../../lib/redis/redis-node.ts';
import { openProbe } from '../../lib/redis/redis-probe.ts';

export type TopologyName = 'single' | 'cluster';

/** A Redis for the gateway to use, the variables that point it there, and a count of admitted events. */
export interface BenchRedis {
  readonly name: TopologyName;
  readonly description: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES, and STREAM_SHARDS. */
  readonly env: Readonly<Record<string, string>>;
  /** Entries in every events stream. */
  admitted(): Promise<number>;
  stop(): Promise<void>;
}

export const CLUSTER_SHARDS = 16;

/** One redis-server, ddup's defaults (STREAM_SHARDS=1). */
async function startSingle(): Promise<BenchRedis> {
  const node = await startRedisNode('everysec');
  const probe = await openProbe(node.server.url);
  const streams = allEventsStreamKeys(1);
  return {
    name: 'single',
    description: 'one redis-server, STREAM_SHARDS=1',
    env: { REDIS_URL: node.server.url, STREAM_SHARDS: '1' },
    admitted: async () => (await Promise.all(streams.map((stream) => probe.xlen(stream)))).reduce((a, b) => a + b, 0),
    async stop() {
      probe.close();
      await node.stop();
    },
  };
}

/** A local 3-master cluster (redis-server processes joined by redis-cli --cluster create), 16 shards. */
async function startCluster(): Promise<BenchRedis> {
  const cluster = await startTestCluster(3);
  const client = await connectTestCluster(cluster.nodes);
  const streams = allEventsStreamKeys(CLUSTER_SHARDS);
  return {
    name: 'cluster',
    description: `3-master Redis Cluster on this machine, STREAM_SHARDS=${CLUSTER_SHARDS}`,
    env: { REDIS_CLUSTER_NODES: cluster.seeds, STREAM_SHARDS: String(CLUSTER_SHARDS) },
    admitted: async () => (await Promise.all(streams.map((stream) => client.sendCommand<number>(['XLEN', stream])))).reduce((a, b) => a + b, 0),
    async stop() {
      await client.close();
      await cluster.cleanup();
    },
  };
}

export function startBenchRedis(name: TopologyName): Promise<BenchRedis> {
  return name === 'single' ? startSingle() : startCluster();
}
