import { type AdmitReply, type RedisCommandSender, admitScript, runScript } from '@ddup/redis-keys';
import type { PreparedAdmission } from './admissions.ts';

export interface PipelinedAdmission {
  readonly events: number;
  readonly admitted: number;
  readonly duplicates: number;
  readonly inFlight: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/**
 * Runs the admission script (EVALSHA, as the gateway does) once per prepared event over one
 * connection, keeping `inFlight` calls outstanding: node-redis writes them back to back, so they
 * travel pipelined, as the gateway's concurrent requests do.
 */
export async function admitPipelined(
  redis: RedisCommandSender,
  admissions: readonly PreparedAdmission[],
  inFlight: number,
): Promise<PipelinedAdmission> {
  let next = 0;
  let admitted = 0;
  let duplicates = 0;
  const worker = async () => {
    while (next < admissions.length) {
      const admission = admissions[next++];
      if (!admission) break;
      const [code] = await runScript<AdmitReply>(redis, admitScript, admission.keys, admission.args);
      if (code === 1) admitted++;
      else duplicates++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, admissions.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { events: admissions.length, admitted, duplicates, inFlight, seconds, eventsPerSecond: admissions.length / seconds };
}
