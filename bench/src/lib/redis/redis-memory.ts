import type { RedisProbe } from './redis-probe.ts';

/** INFO memory `used_memory`: bytes Redis has allocated (data plus its own overhead). */
export async function usedMemory(probe: RedisProbe): Promise<number> {
  const match = /^used_memory:(\d+)/m.exec(await probe.info('memory'));
  if (!match?.[1]) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}
