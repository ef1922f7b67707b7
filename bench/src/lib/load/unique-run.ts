import { type HonestyCheck, checkHonesty } from './honesty.ts';
import { type LoadSummary, postUniqueEvents } from './load.ts';
import type { BenchSettings } from '../settings.ts';
import { settledCount } from '../redis/stream-length.ts';

export interface UniqueRun {
  readonly warmup: LoadSummary;
  readonly measured: LoadSummary;
  readonly stream: { readonly before: number; readonly after: number };
  readonly honesty: HonestyCheck;
}

/**
 * Warm-up, then the measured run of unique-event POSTs against `baseUrl`, with the honesty check:
 * the 202s against the growth of `admitted()` (entries in the events streams) over the measured run.
 */
export async function runUniquePosts(baseUrl: string, tag: string, settings: BenchSettings, admitted: () => Promise<number>): Promise<UniqueRun> {
  const warmup = await postUniqueEvents(baseUrl, `${tag}-warmup`, settings.warmupSeconds, settings.connections);
  const before = await settledCount(admitted);
  const measured = await postUniqueEvents(baseUrl, `${tag}-measured`, settings.measureSeconds, settings.connections);
  const after = await settledCount(admitted);
  return { warmup, measured, stream: { before, after }, honesty: checkHonesty(measured, after - before) };
}
