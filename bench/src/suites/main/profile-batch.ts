import { randomBatchBodies } from '../../lib/load/event-bodies.ts';
import { BATCH_PATH } from '../../lib/load/load.ts';
import { type Check, type LoadProfile, allAnswered } from '../../lib/load/profile.ts';

/** Events per batch request. */
export const BATCH_SIZE = 1_000;

interface BatchTotals {
  accepted: number;
  duplicates: number;
  invalid: number;
  results: number;
  unreadable: number;
}

function readBatchAnswer(body: string, totals: BatchTotals): void {
  try {
    const answer: unknown = JSON.parse(body);
    if (typeof answer !== 'object' || answer === null) throw new Error('not an object');
    const field = (name: string) => Number(Reflect.get(answer, name) ?? Number.NaN);
    const results: unknown = Reflect.get(answer, 'results');
    const accepted = field('accepted');
    if (!Number.isFinite(accepted)) throw new Error('no accepted count');
    totals.accepted += accepted;
    totals.duplicates += field('duplicates') || 0;
    totals.invalid += field('invalid') || 0;
    totals.results += Array.isArray(results) ? results.length : 0;
  } catch {
    totals.unreadable++;
  }
}

/**
 * (c) Batch ingestion: POST a JSON array of 1,000 new events; a 200 answer says how many were
 * `accepted` (stored), `duplicates` and `invalid`. Figures are in events accepted per second.
 */
export function batchProfile(size = BATCH_SIZE): LoadProfile {
  return {
    id: 'c',
    title: `batch of ${size.toLocaleString('en-US')} events`,
    path: BATCH_PATH,
    eventsPerRequest: size,
    start() {
      const nextBody = randomBatchBodies(size);
      const totals: BatchTotals = { accepted: 0, duplicates: 0, invalid: 0, results: 0, unreadable: 0 };
      return {
        next: () => ({ body: nextBody(), kind: 'batch' }),
        onAnswer(_kind, status, body) {
          if (status === 200) readBatchAnswer(body, totals);
        },
        stored: () => totals.accepted,
        checks(load): Check[] {
          const answered200 = load.statusCounts['200'] ?? 0;
          return [
            allAnswered(load, 200),
            {
              name: 'no false duplicate or invalid: every event of every 200 accepted',
              ok: totals.unreadable === 0 && totals.accepted === answered200 * size && totals.results === answered200 * size,
              honesty: true,
              detail: `${totals.accepted} accepted, ${totals.duplicates} duplicates, ${totals.invalid} invalid, ${totals.results} results in ${answered200} answers of ${size}; ${totals.unreadable} unreadable`,
            },
          ];
        },
      };
    },
  };
}
