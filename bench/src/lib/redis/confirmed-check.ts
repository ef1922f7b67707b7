import { isDrained, pollUntilDrained } from './group-progress.ts';
import type { Check } from '../load/profile.ts';
import type { RedisProbe } from './redis-probe.ts';

/** Waits for the consumers to confirm everything on the stream; a check of whether they did. */
export async function allConfirmed(probe: RedisProbe, timeoutMs: number): Promise<Check> {
  const started = Date.now();
  const samples = await pollUntilDrained(probe, timeoutMs);
  const last = samples.at(-1)?.progress;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return {
    name: 'every stored event confirmed by the consumer',
    ok: isDrained(last),
    honesty: true,
    detail: last
      ? `XINFO GROUPS: entries-read ${last.entriesRead}, lag ${last.lag ?? 'unknown'}, pending ${last.pending} (${seconds} s after the run)`
      : 'no consumer group',
  };
}
