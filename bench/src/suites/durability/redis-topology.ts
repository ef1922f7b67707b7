import { type RedisNode, startRedisNode } from '../../lib/redis/redis-node.ts';
import type { ModeSetup } from './modes.ts';
import { type RedisProbe, openProbe } from '../../lib/redis/redis-probe.ts';
import { waitForReplicaOnline } from '../../lib/redis/replica.ts';

/** The primary (and, for `wait`, an online replica) for one mode, with a probe on the primary. */
export interface RedisTopology {
  readonly url: string;
  readonly probe: RedisProbe;
  stop(): Promise<void>;
}

export async function startTopology(setup: ModeSetup): Promise<RedisTopology> {
  const nodes: RedisNode[] = [];
  let probe: RedisProbe | undefined;
  const stop = async () => {
    probe?.close();
    // Replica first, so it does not spend the primary's shutdown reconnecting.
    for (const node of nodes.reverse()) await node.stop();
  };
  try {
    const primary = await startRedisNode(setup.appendFsync);
    nodes.push(primary);
    probe = await openProbe(primary.server.url);
    if (setup.replica) {
      nodes.push(await startRedisNode('everysec', ['--replicaof', '127.0.0.1', String(primary.server.port)]));
      await waitForReplicaOnline(probe);
    }
    return { url: primary.server.url, probe, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
