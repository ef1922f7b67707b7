import type { Store } from '@ddup/store';
import type { Check } from '../../lib/load/profile.ts';
import type { RedisProbe } from '../../lib/redis/redis-probe.ts';

/** Looks up `samples` of the admitted events, spread over them, in the index and checks they all say `processed`. */
export async function sampledEventsProcessed(probe: RedisProbe, store: Store, hashes: readonly string[], samples = 50): Promise<Check> {
  const states = new Map<string, number>();
  const step = Math.max(1, Math.floor(hashes.length / samples));
  for (let i = 0; i < hashes.length; i += step) {
    const state = (await store.lookup(probe, hashes[i] as string))?.state ?? '(not remembered)';
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  const sampled = [...states.values()].reduce((sum, n) => sum + n, 0);
  return {
    name: 'sampled events are processed in the index',
    ok: sampled > 0 && states.size === 1 && states.has('processed'),
    honesty: true,
    detail: [...states].map(([state, n]) => `${n} × ${state}`).join(', ') || 'no event sampled',
  };
}
