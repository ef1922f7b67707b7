import { join } from 'node:path';
import { batchEndpointStatus } from './batch-availability.ts';
import { startBaseline } from '../../lib/baseline/baseline-process.ts';
import type { RunningProcess } from '../../lib/processes/command-process.ts';
import { allConfirmed } from '../../lib/redis/confirmed-check.ts';
import { startConsumer } from '../../lib/processes/consumer-process.ts';
import { startGateway } from '../../lib/processes/gateway-process.ts';
import type { HttpService } from '../../lib/processes/http-service.ts';
import { measureTarget } from '../../lib/load/measure-target.ts';
import { batchProfile } from './profile-batch.ts';
import { mixProfile } from './profile-mix.ts';
import { uniqueProfile } from '../../lib/load/profile-unique.ts';
import type { LoadProfile } from '../../lib/load/profile.ts';
import { type RedisNode, startRedisNode } from '../../lib/redis/redis-node.ts';
import { type RedisProbe, openProbe } from '../../lib/redis/redis-probe.ts';
import { type Runtime, runtimeLabel } from '../../lib/processes/runtimes.ts';
import { type DirectAdmissionResult, measureDirectAdmission } from './scenario-direct.ts';
import type { HttpScenarioResult } from './scenario-result.ts';
import type { SuiteSettings } from './suite-settings.ts';

export interface RuntimeSuiteResult {
  readonly scenarios: readonly HttpScenarioResult[];
  /** Scenario (c)'s yardstick, measured on this runtime's redis-server when asked for. */
  readonly direct?: DirectAdmissionResult;
}

/** The system as the gateway runs in production, plus the baseline beside it. */
interface System {
  readonly redis: RedisNode;
  readonly probe: RedisProbe;
  readonly consumer: RunningProcess;
  readonly gateway: HttpService;
  readonly baseline: HttpService;
}

const CONFIRM_TIMEOUT_MS = 120_000;

function profileDir(settings: SuiteSettings, name: string): string | undefined {
  return settings.cpuProfileDir ? join(settings.cpuProfileDir, name) : undefined;
}

async function startSystem(runtime: Runtime, settings: SuiteSettings, stack: Array<() => Promise<unknown>>): Promise<System> {
  // As the launcher runs DURABILITY=memory: append-only file, fsync every second.
  const redis = await startRedisNode('everysec');
  stack.push(() => redis.stop());
  const probe = await openProbe(redis.server.url);
  stack.push(async () => probe.close());
  const consumer = startConsumer(redis.server.url, {}, profileDir(settings, `${runtime.name}-consumer`));
  stack.push(() => consumer.stop('SIGTERM'));
  const gateway = await startGateway(redis.server.url, { DURABILITY: 'memory' }, { runtime, cpuProfileDir: profileDir(settings, `${runtime.name}-gateway`) });
  stack.push(() => gateway.stop());
  const baseline = await startBaseline(runtime, profileDir(settings, `${runtime.name}-baseline`));
  stack.push(() => baseline.stop());
  return { redis, probe, consumer, gateway, baseline };
}

function systemPids(system: System) {
  return { gateway: system.gateway.process.pid, consumer: system.consumer.pid, redis: system.redis.server.pid };
}

async function runScenario(system: System, runtime: Runtime, profile: LoadProfile, settings: SuiteSettings): Promise<HttpScenarioResult> {
  const head = { id: profile.id, title: profile.title, runtime: runtime.name, eventsPerRequest: profile.eventsPerRequest };
  if (profile.id === 'c') {
    const status = await batchEndpointStatus(system.gateway.baseUrl);
    if (status === 404) return { ...head, unavailable: `the gateway answers 404 to POST ${profile.path}` };
  }
  const label = `(${profile.id}) ${profile.title}, ${runtimeLabel(runtime)}`;
  console.error(`${label}: baseline (${settings.warmupSeconds} s warm-up + ${settings.measureSeconds} s)…`);
  const baseline = await measureTarget('baseline', system.baseline.baseUrl, profile, settings, { baseline: system.baseline.process.pid });
  console.error(`${label}: ddup…`);
  const ddup = await measureTarget('ddup', system.gateway.baseUrl, profile, settings, systemPids(system), system.probe);
  const confirmed = await allConfirmed(system.probe, CONFIRM_TIMEOUT_MS);
  return { ...head, baseline, ddup: { ...ddup, checks: [...ddup.checks, confirmed] } };
}

/**
 * Scenarios (a), (b), (c) on one runtime: a fresh redis-server, one consumer process, the gateway
 * and the baseline on `runtime`; for each scenario the baseline then the gateway under the same
 * load. With `direct`, also drives the admission script straight at the same redis-server.
 */
export async function runRuntimeSuite(runtime: Runtime, settings: SuiteSettings, direct: boolean): Promise<RuntimeSuiteResult> {
  const stack: Array<() => Promise<unknown>> = [];
  try {
    const system = await startSystem(runtime, settings, stack);
    const scenarios: HttpScenarioResult[] = [];
    for (const profile of [uniqueProfile, mixProfile, batchProfile(settings.batchSize)]) {
      scenarios.push(await runScenario(system, runtime, profile, settings));
    }
    if (!direct) return { scenarios };
    console.error(
      `(c) admission scripts straight from Node, ${settings.directEvents} events each: one per call, ${settings.inFlight} in flight; ${settings.batchSize} per call…`,
    );
    const pids = { consumer: system.consumer.pid, redis: system.redis.server.pid };
    const result = await measureDirectAdmission(system.redis.server.url, system.probe, settings.directEvents, settings.inFlight, pids, settings.batchSize);
    const confirmed = await allConfirmed(system.probe, CONFIRM_TIMEOUT_MS);
    return { scenarios, direct: { ...result, checks: [...result.checks, confirmed] } };
  } finally {
    // Baseline, gateway, consumer, probe, then Redis last.
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
  }
}
