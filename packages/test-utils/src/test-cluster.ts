import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type TestRedis, startTestRedis } from './test-redis.ts';

const run = promisify(execFile);

/** A Redis Cluster of redis-server processes this test started on free ports. */
export interface TestCluster {
  readonly nodes: readonly TestRedis[];
  /** `127.0.0.1:port,...`: every node, as REDIS_CLUSTER_NODES takes them. */
  readonly seeds: string;
  cleanup(): Promise<void>;
}

async function clusterState(node: TestRedis): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(node.port), 'CLUSTER', 'INFO']);
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? 'unknown';
}

/** A replica that has not finished its first sync cannot take over from its master. */
async function replicaInSync(node: TestRedis): Promise<boolean> {
  const { stdout } = await run('redis-cli', ['-p', String(node.port), 'INFO', 'replication']);
  return !/role:slave/.test(stdout) || /master_link_status:up/.test(stdout);
}

/**
 * Starts `masters` masters (and `replicasPerMaster` replicas each), joins them with
 * `redis-cli --cluster create`, and resolves once every node reports `cluster_state:ok` and every replica is in sync. A master
 * that stops answering for `nodeTimeoutMs` is failed over to its replica.
 */
export async function startTestCluster(masters = 3, replicasPerMaster = 0, nodeTimeoutMs = 2_000, extraArgs: readonly string[] = []): Promise<TestCluster> {
  const count = masters * (1 + replicasPerMaster);
  const nodes = await Promise.all(
    Array.from({ length: count }, () =>
      startTestRedis({
        extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs), ...extraArgs],
      }),
    ),
  );
  const cleanup = async () => void (await Promise.all(nodes.map((node) => node.cleanup())));
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes']);
    const deadline = Date.now() + 30_000;
    for (const node of nodes) {
      while ((await clusterState(node)) !== 'ok' || !(await replicaInSync(node))) {
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} did not reach cluster_state:ok with its replication in sync`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { nodes, seeds: addresses.join(','), cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
