import type { EventToAdmit } from '@ddup/store';
import { EVENTS_STREAM } from '../../lib/redis/stream-length.ts';
import type { RedisProbe } from '../../lib/redis/redis-probe.ts';
import { type IndexLayoutUnderTest, syntheticEvents } from './layouts.ts';

/** Redis's own counters around a run: CPU seconds (main process, all threads) and EVALSHA calls. */
interface RedisCounters {
  readonly cpuSeconds: number;
  readonly evalshaCalls: number;
  readonly evalshaUsec: number;
}

async function counters(probe: RedisProbe): Promise<RedisCounters> {
  const cpu = await probe.info('cpu');
  const stats = await probe.info('commandstats');
  const number = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    cpuSeconds: number(cpu, /used_cpu_user:([\d.]+)/) + number(cpu, /used_cpu_sys:([\d.]+)/),
    evalshaCalls: number(stats, /cmdstat_evalsha:calls=(\d+)/),
    evalshaUsec: number(stats, /cmdstat_evalsha:calls=\d+,usec=(\d+)/),
  };
}

export async function usedMemory(probe: RedisProbe): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await probe.info('memory'))?.[1] ?? Number.NaN);
}

/** What a timed stretch of admissions cost Redis. */
export interface AdmissionCost {
  readonly admissions: number;
  readonly accepted: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Redis CPU (user + sys) per admission, µs: script, XADD, replies, AOF writing. */
  readonly redisCpuMicros: number;
  /** Time inside EVALSHA per call (INFO commandstats), µs. */
  readonly scriptMicros: number;
}

/** Admits `events` with `inFlight` calls outstanding on one connection, and reads what it cost Redis. */
export async function admitTimed(probe: RedisProbe, layout: IndexLayoutUnderTest, events: readonly EventToAdmit[], inFlight: number): Promise<AdmissionCost> {
  const before = await counters(probe);
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < events.length) {
        const event = events[next++];
        if (event === undefined) break;
        if ((await layout.admit(probe, event)).outcome === 'accepted') accepted++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await counters(probe);
  const calls = after.evalshaCalls - before.evalshaCalls;
  return {
    admissions: events.length,
    accepted,
    seconds,
    perSecond: events.length / seconds,
    redisCpuMicros: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / events.length,
    scriptMicros: calls > 0 ? (after.evalshaUsec - before.evalshaUsec) / calls : Number.NaN,
  };
}

/** Admits events numbered [from, to) in chunks, trimming the stream after each so it does not grow; returns the accepted count. */
export async function fill(probe: RedisProbe, layout: IndexLayoutUnderTest, from: number, to: number, inFlight: number): Promise<number> {
  let accepted = 0;
  for (let at = from; at < to; at += 100_000) {
    accepted += (await admitTimed(probe, layout, syntheticEvents(at, Math.min(100_000, to - at)), inFlight)).accepted;
    await probe.sendCommand(['XTRIM', EVENTS_STREAM, 'MAXLEN', '0']);
  }
  return accepted;
}
