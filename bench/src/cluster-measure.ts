import { type BenchRedis, type TopologyName, settledAdmitted, startBenchRedis } from './cluster-topology.ts';
import { startConsumer } from './consumer-process.ts';
import { startGateway } from './gateway-process.ts';
import { type HonestyCheck, checkHonesty } from './honesty.ts';
import { type LoadSummary, postUniqueEvents } from './load.ts';
import type { BenchSettings } from './settings.ts';

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
      const tag = `${runTag}-${name}`;
      await postUniqueEvents(gateway.baseUrl, `${tag}-warmup`, settings.warmupSeconds, settings.connections);
      const before = await settledAdmitted(redis);
      const measured = await postUniqueEvents(gateway.baseUrl, `${tag}-measured`, settings.measureSeconds, settings.connections);
      const after = await settledAdmitted(redis);
      return { topology: name, description: redis.description, measured, honesty: checkHonesty(measured, after - before) };
    } finally {
      await gateway.stop();
      await consumer.stop();
    }
  } finally {
    await redis.stop();
  }
}
