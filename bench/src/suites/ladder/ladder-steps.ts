import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBaseline } from '../../lib/baseline/baseline-process.ts';
import type { RunningProcess } from '../../lib/processes/command-process.ts';
import { allConfirmed } from '../../lib/redis/confirmed-check.ts';
import { startConsumer } from '../../lib/processes/consumer-process.ts';
import { startGateway } from '../../lib/processes/gateway-process.ts';
import { type HttpService, startHttpService } from '../../lib/processes/http-service.ts';
import { type TargetRun, measureTarget } from '../../lib/load/measure-target.ts';
import { uniqueProfile } from '../../lib/load/profile-unique.ts';
import type { Check } from '../../lib/load/profile.ts';
import { startRedisNode } from '../../lib/redis/redis-node.ts';
import { openProbe } from '../../lib/redis/redis-probe.ts';
import { NODE_RUNTIME } from '../../lib/processes/runtimes.ts';
import type { BenchSettings } from '../../lib/settings.ts';

const IN_MEMORY_ENTRY = fileURLToPath(new URL('./gateway-in-memory.ts', import.meta.url));
const CONFIRM_TIMEOUT_MS = 120_000;

/** From the bare HTTP stack to the whole system, one piece added per step. */
export const LADDER_STEPS = [
  { name: 'baseline', description: 'bare Hono app: parses the JSON body, answers 202 with it echoed' },
  {
    name: 'gateway-in-memory',
    description: "ddup's gateway app (validation, canonical JSON, SHA-256, the same answer), admission in its own memory: no Redis",
  },
  { name: 'ddup-without-consumer', description: 'gateway + redis-server (defaults); the consumer starts only after the run' },
  { name: 'ddup', description: 'gateway + redis-server + one consumer process, as deployed (defaults: one admission script call per event)' },
] as const;

export type LadderStepName = (typeof LADDER_STEPS)[number]['name'];

export interface LadderStepResult {
  readonly step: LadderStepName;
  readonly run: TargetRun;
  /** Steps with Redis: whether the consumer then confirmed every stored event. */
  readonly confirmed?: Check;
}

/**
 * Starts the step's processes (Node), loads them with unique events (warm-up, measured run, with
 * CPU shares per process), checks the answers, and stops everything it started.
 */
export async function measureLadderStep(step: LadderStepName, settings: BenchSettings, cpuProfileDir?: string): Promise<LadderStepResult> {
  const stack: Array<() => Promise<unknown>> = [];
  const serve = (service: HttpService) => {
    stack.push(() => service.stop());
    return service;
  };
  try {
    if (step === 'baseline') {
      const baseline = serve(await startBaseline(NODE_RUNTIME, cpuProfileDir));
      return { step, run: await measureTarget('baseline', baseline.baseUrl, uniqueProfile, settings, { server: baseline.process.pid }) };
    }
    if (step === 'gateway-in-memory') {
      const gateway = serve(await startHttpService(NODE_RUNTIME, IN_MEMORY_ENTRY, { LOG_LEVEL: 'warn' }, { cpuProfileDir }));
      return { step, run: await measureTarget('ddup', gateway.baseUrl, uniqueProfile, settings, { server: gateway.process.pid }) };
    }
    const redis = await startRedisNode('everysec');
    stack.push(() => redis.stop());
    const probe = await openProbe(redis.server.url);
    stack.push(async () => probe.close());
    const startConsumerNow = (): RunningProcess => {
      const consumer = startConsumer(redis.server.url, {}, cpuProfileDir && join(cpuProfileDir, 'consumer'));
      stack.push(() => consumer.stop('SIGTERM'));
      return consumer;
    };
    const consumer = step === 'ddup-without-consumer' ? undefined : startConsumerNow();
    const gateway = serve(await startGateway(redis.server.url, { DURABILITY: 'memory' }, { cpuProfileDir }));
    const pids = { server: gateway.process.pid, redis: redis.server.pid, ...(consumer ? { consumer: consumer.pid } : {}) };
    const run = await measureTarget('ddup', gateway.baseUrl, uniqueProfile, settings, pids, probe);
    if (!consumer) startConsumerNow();
    return { step, run, confirmed: await allConfirmed(probe, CONFIRM_TIMEOUT_MS) };
  } finally {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  }
}
