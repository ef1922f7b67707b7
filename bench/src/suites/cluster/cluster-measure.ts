import { type BenchRedis, type TopologyName, startBenchRedis } from './cluster-topology.ts';
import { startConsumer } from '../../lib/processes/consumer-process.ts';
import { startGateway } from '../../lib/processes/gateway-process.ts';
import type { HonestyCheck } from '../../lib/load/honesty.ts';
import type { LoadSummary } from '../../lib/load/load.ts';
import type { BenchSettings } from '../../lib/settings.ts';
import { runUniquePosts } from '../../lib/load/unique-run.ts';

export interface TopologyResult {
  readonly topology: TopologyName;
  readonly description: string;
  readonly measured: LoadSummary;
  readonly honesty: HonestyCheck;
}

/** Fresh Redis (one server or a local cluster), a gateway and a consumer; warm-up, measured run; all stopped after. */
export async function measureTopology(name: TopologyName, settings: BenchSettings, runTag: string): Promise<TopologyResult> {
  const redis: BenchRedis = await startBenchRedis(name);
  try {
    const consumer = startConsumer(redis.env);
    const gateway = await startGateway(redis.env, {});
    try {
      const { measured, honesty } = await runUniquePosts(gateway.baseUrl, `${runTag}-${name}`, settings, () => redis.admitted());
      return { topology: name, description: redis.description, measured, honesty };
    } finally {
      await gateway.stop();
      await consumer.stop();
    }
  } finally {
    await redis.stop();
  }
}
