import { randomEventBodies } from './event-bodies.ts';
import { EVENTS_PATH } from './load.ts';
import { type LoadProfile, allAnswered, count } from './profile.ts';

/** (a) Every request a new event. */
export const uniqueProfile: LoadProfile = {
  id: 'a',
  title: 'unique events',
  path: EVENTS_PATH,
  eventsPerRequest: 1,
  start() {
    const nextBody = randomEventBodies();
    return {
      next: () => ({ body: nextBody(), kind: 'unique' }),
      onAnswer: () => undefined,
      stored: (load) => load.accepted202,
      checks: (load, target) => [
        ...(target === 'ddup'
          ? [{ name: 'no 409 for a new event', ok: count(load.statusCounts, 409) === 0, honesty: true, detail: `${count(load.statusCounts, 409)} × 409` }]
          : []),
        allAnswered(load, 202),
      ],
    };
  },
};
