import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupsOfStream } from '@ddup/store';
import { cpuSecondsOf } from '../../lib/cpu/process-cpu.ts';
import { type WrkResult, runWrkMix } from '../../lib/launched/wrk-run.ts';
import { startConsumer } from '../../lib/processes/consumer-process.ts';
import { startGateway } from '../../lib/processes/gateway-process.ts';
import { type RedisProbe, openProbe } from '../../lib/redis/redis-probe.ts';
import { startRedisNode } from '../../lib/redis/redis-node.ts';
import { EVENTS_STREAM, settledCount } from '../../lib/redis/stream-length.ts';
import { treeCpuSeconds } from './process-tree-cpu.ts';
import type { SinkProbe, SinkType } from './sink-probes.ts';

export interface RunSettings {
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  /** How long the sinks get to catch up after the load before the run fails. */
  readonly drainTimeoutSeconds: number;
  /**
   * Whether the consumer is stopped (SIGSTOP) during the measured load and continued after it: the
   * catch-up then measures how fast each sink drains a backlog with the gateway idle.
   */
  readonly pauseConsumer: boolean;
  /** Where to write a V8 CPU profile of the consumer, when set. */
  readonly cpuProfileDir: string | undefined;
}

/** What one sink of a run did from the start of the measured load until it had caught up. */
export interface SinkFigures {
  readonly type: SinkType;
  /** Delivered events/s while the gateway was under load. */
  readonly deliveredPerSecondUnderLoad: number;
  /** Delivered events/s after the load until this sink had everything (NaN when it had at the end of the load). */
  readonly deliveredPerSecondCatchUp: number;
  /** Delivered events/s from the start of the load until the sink had everything. */
  readonly deliveredPerSecondOverall: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly latencySamples: number;
  /** Distinct events the sink holds at the end, and repeated deliveries the destination saw (webhook only). */
  readonly deliveredAtEnd: number;
  readonly duplicates: number | undefined;
}

export interface RunFigures {
  readonly label: string;
  readonly load: WrkResult;
  /** Events accepted (202) per second during the measured load, from the stream's entries-added. */
  readonly acceptedPerSecond: number;
  readonly accepted: number;
  /** Seconds from the end of the load until every group on the events stream had everything. */
  readonly catchUpSeconds: number;
  /** CPU µs per accepted event, from the start of the load until caught up, by process. */
  readonly cpuMicrosPerEvent: Readonly<Record<string, number>>;
  readonly sinks: readonly SinkFigures[];
  readonly checks: readonly { readonly name: string; readonly ok: boolean }[];
}

/** XINFO STREAM's entries-added: every entry the gateway ever appended (trimming does not lower it). */
async function entriesAdded(probe: RedisProbe): Promise<number> {
  try {
    const fields = await probe.sendCommand<unknown[]>(['XINFO', 'STREAM', EVENTS_STREAM]);
    const at = fields.indexOf('entries-added');
    return Number(fields[at + 1] ?? 0);
  } catch {
    return 0; // no stream yet
  }
}

const deliveredNow = (probes: readonly SinkProbe[]) => Promise.all(probes.map((probe) => probe.delivered()));

/**
 * Waits until every consumer group on the events stream has read and acknowledged everything;
 * meanwhile notes in `doneAt` when each sink first held `target` events.
 */
async function caughtUp(
  probe: RedisProbe,
  groups: number,
  timeoutSeconds: number,
  sinks?: { probes: readonly SinkProbe[]; target: number; doneAt: number[] },
): Promise<boolean> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (sinks) {
      const counts = await deliveredNow(sinks.probes);
      for (const [index, count] of counts.entries()) if (count >= sinks.target && Number.isNaN(sinks.doneAt[index] ?? 0)) sinks.doneAt[index] = Date.now();
    }
    try {
      const found = await groupsOfStream(probe, EVENTS_STREAM);
      if (found.length >= groups && found.every((group) => Number(group.lag) === 0 && Number(group.pending) === 0)) return true;
    } catch {
      // no stream yet
    }
    await sleep(200);
  }
  return false;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/**
 * One run on a fresh redis-server, gateway and consumer whose SINKS_FILE names `probes`' sinks (none:
 * no SINKS_FILE, the consumer confirms only): warm-up load, catch-up, then the measured load and the
 * catch-up after it, reading each sink's own count and CPU time from /proc around them.
 */
export async function measureRun(label: string, probes: readonly SinkProbe[], settings: RunSettings, sinkServers: readonly number[]): Promise<RunFigures> {
  const redis = await startRedisNode('everysec');
  const dir = mkdtempSync(join(tmpdir(), 'ddup-bench-sinks-'));
  const sinksFile = join(dir, 'sinks.json');
  writeFileSync(sinksFile, JSON.stringify({ sinks: probes.map((probe) => probe.config) }));
  const url = redis.server.url;
  const gateway = await startGateway(url, {});
  const consumer = startConsumer(url, probes.length > 0 ? { SINKS_FILE: sinksFile } : {}, settings.cpuProfileDir);
  const probe = await openProbe(url);
  try {
    const groups = 1 + probes.length;
    await runWrkMix(gateway.baseUrl, settings.warmupSeconds, settings.connections);
    if (!(await caughtUp(probe, groups, settings.drainTimeoutSeconds))) throw new Error(`${label}: the warm-up's events were not all delivered`);
    const pids: Record<string, number[]> = {
      gateway: [gateway.process.pid],
      consumer: [consumer.pid],
      redis: [redis.server.pid],
      'sink servers': [...sinkServers],
    };
    // The benchmark's own process (not its children: wrk and the services) holds the webhook receiver.
    const cpu = (): Record<string, number> => ({
      ...Object.fromEntries(Object.entries(pids).map(([name, list]) => [name, list.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0)])),
      'bench process': cpuSecondsOf(process.pid) ?? 0,
    });
    const accepted0 = await entriesAdded(probe);
    const delivered0 = await deliveredNow(probes);
    const cpu0 = cpu();
    const t0 = Date.now();
    if (settings.pauseConsumer) process.kill(consumer.pid, 'SIGSTOP');
    const load = await runWrkMix(gateway.baseUrl, settings.seconds, settings.connections);
    const delivered1 = await deliveredNow(probes);
    const accepted1 = await entriesAdded(probe);
    const t1 = Date.now();
    if (settings.pauseConsumer) process.kill(consumer.pid, 'SIGCONT');
    const doneAt = probes.map((_, index) => ((delivered1[index] ?? 0) >= accepted1 ? t1 : Number.NaN));
    const done = await caughtUp(probe, groups, settings.drainTimeoutSeconds, { probes, target: accepted1, doneAt });
    const t2 = Date.now();
    // A sink that got its last events between the last look and the groups' catch-up: it finished by now.
    for (const [index, at] of doneAt.entries()) if (Number.isNaN(at)) doneAt[index] = t2;
    const cpu2 = cpu();
    const accepted2 = await settledCount(() => entriesAdded(probe));
    const delivered2 = await deliveredNow(probes);
    const accepted = accepted2 - accepted0;
    const sinks: SinkFigures[] = [];
    for (const [index, sink] of probes.entries()) {
      const latencies = (await sink.latencies(t0)).sort((a, b) => a - b);
      const start = delivered0[index] ?? 0;
      sinks.push({
        type: sink.type,
        deliveredPerSecondUnderLoad: (((delivered1[index] ?? 0) - start) * 1000) / (t1 - t0),
        deliveredPerSecondCatchUp: doneAt[index] === t1 ? Number.NaN : ((accepted1 - (delivered1[index] ?? 0)) * 1000) / ((doneAt[index] ?? t2) - t1),
        deliveredPerSecondOverall: (((delivered2[index] ?? 0) - start) * 1000) / (t2 - t0),
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies.at(-1) ?? Number.NaN,
        latencySamples: latencies.length,
        deliveredAtEnd: delivered2[index] ?? 0,
        duplicates: await sink.duplicates(),
      });
    }
    const cpuMicrosPerEvent = Object.fromEntries(Object.keys(cpu2).map((name) => [name, (((cpu2[name] ?? 0) - (cpu0[name] ?? 0)) * 1e6) / accepted]));
    const checks = [
      { name: 'every group caught up', ok: done },
      { name: "the stream's growth equals wrk's 202s (or more: requests cut off in flight)", ok: accepted >= (load.statuses['202'] ?? 0) },
      ...sinks.map((sink) => ({ name: `${sink.type}: delivered = accepted (${sink.deliveredAtEnd} of ${accepted2})`, ok: sink.deliveredAtEnd === accepted2 })),
      ...sinks.flatMap((sink) =>
        sink.duplicates === undefined ? [] : [{ name: `${sink.type}: no duplicate deliveries (${sink.duplicates})`, ok: sink.duplicates === 0 }],
      ),
    ];
    return {
      label,
      load,
      acceptedPerSecond: ((accepted1 - accepted0) * 1000) / (t1 - t0),
      accepted,
      catchUpSeconds: (t2 - t1) / 1000,
      cpuMicrosPerEvent,
      sinks,
      checks,
    };
  } finally {
    probe.close();
    await consumer.stop('SIGTERM');
    await gateway.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
