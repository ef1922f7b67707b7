import { randomUUID } from 'node:crypto';
import { eventJson, randomEventBodies } from '../../lib/load/event-bodies.ts';
import { EVENTS_PATH } from '../../lib/load/load.ts';
import { type Check, type LoadProfile, allAnswered, count, hashIn } from '../../lib/load/profile.ts';

/** One request in this many is the fixed duplicate (20 %). */
const DUPLICATE_EVERY = 5;

/**
 * (b) The old service's load mix: 80 % new events, 20 % one fixed event sent again and again.
 * Checks that the duplicate got exactly one 202, every later copy a 409 naming its hash, and that
 * no new event got a 409.
 */
export const mixProfile: LoadProfile = {
  id: 'b',
  title: '80 % unique + 20 % one duplicate',
  path: EVENTS_PATH,
  eventsPerRequest: 1,
  start() {
    const nextUnique = randomEventBodies();
    const duplicate = eventJson(randomUUID(), 0, new Date().toISOString());
    let sent = 0;
    let duplicateHash: string | undefined;
    const hashesOf409 = new Map<string, number>();
    return {
      next: () => (++sent % DUPLICATE_EVERY === 0 ? { body: duplicate, kind: 'duplicate' } : { body: nextUnique(), kind: 'unique' }),
      onAnswer(kind, status, body) {
        if (kind === 'duplicate' && status === 202) duplicateHash = hashIn(body);
        if (status === 409) {
          const hash = hashIn(body) ?? '(none)';
          hashesOf409.set(hash, (hashesOf409.get(hash) ?? 0) + 1);
        }
      },
      stored: (load) => load.accepted202,
      checks(load, target): Check[] {
        if (target === 'baseline') return [allAnswered(load, 202)];
        const dup = load.statusByKind.duplicate;
        const dupAnswered = Object.values(dup ?? {}).reduce((sum, n) => sum + n, 0);
        const dup202 = count(dup, 202);
        // A 503 claims nothing: the copy may or may not have been stored (Redis answered too late).
        const dup503 = count(dup, 503);
        const all409 = count(load.statusCounts, 409);
        const unique409 = count(load.statusByKind.unique, 409);
        const foreign409 = [...hashesOf409].filter(([hash]) => hash !== duplicateHash).reduce((sum, [, n]) => sum + n, 0);
        return [
          {
            name: 'duplicate accepted once',
            ok: dup202 === 1 || (dup202 === 0 && dup503 > 0),
            honesty: true,
            detail: `${dup202} × 202 for the fixed duplicate${dup503 ? ` (and ${dup503} × 503)` : ''}`,
          },
          {
            name: '409s = copies of the duplicate − its first 202',
            ok: all409 === dupAnswered - dup202 - dup503,
            honesty: true,
            detail: `${all409} × 409; ${dupAnswered} answers to the duplicate − ${dup202} × 202${dup503 ? ` − ${dup503} × 503` : ''}`,
          },
          {
            name: 'every 409 names the duplicate',
            ok: unique409 === 0 && foreign409 === 0,
            honesty: true,
            detail: `${unique409} × 409 to new events; ${foreign409} × 409 with another hash`,
          },
          {
            name: 'no errors',
            ok: load.errors === 0 && all409 + count(load.statusCounts, 202) === load.answered,
            honesty: false,
            detail: `${load.errors} socket errors; ${load.answered - all409 - count(load.statusCounts, 202)} answers neither 202 nor 409`,
          },
        ];
      },
    };
  },
};
