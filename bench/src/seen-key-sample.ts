import { KEY_PREFIX } from '@ddup/redis-keys';
import type { Check } from './profile.ts';
import type { RedisProbe } from './redis-probe.ts';

/** Reads up to `samples` random seen keys (RANDOMKEY) and checks they all say `processed`. */
export async function seenKeysProcessed(probe: RedisProbe, samples = 50): Promise<Check> {
  const states = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    const key = await probe.sendCommand<string | null>(['RANDOMKEY']);
    if (!key || !key.startsWith(`${KEY_PREFIX}:`) || !key.includes(':seen:')) continue;
    const state = (await probe.sendCommand<string | null>(['GET', key])) ?? '(gone)';
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  const sampled = [...states.values()].reduce((sum, n) => sum + n, 0);
  return {
    name: 'sampled seen keys are processed',
    ok: sampled > 0 && states.size === 1 && states.has('processed'),
    honesty: true,
    detail: [...states].map(([state, n]) => `${n} × ${state}`).join(', ') || 'no seen key found',
  };
}
