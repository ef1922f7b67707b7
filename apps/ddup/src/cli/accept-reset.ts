import { acceptRedisReset } from '@ddup/store';
import type { CliOutput } from './output.ts';
import type { CliSession } from './session.ts';

/**
 * `ddup accept-reset`: an operator accepts that Redis lost ddup's data (restarted empty, replaced,
 * flushed). Gateways and consumers holding on it (503, /readyz `redis_reset`) write again within
 * about a second, recording the layout anew; the dedup window starts empty. Exit 1 when no reset
 * is pending.
 */
export async function acceptReset(session: CliSession, output: CliOutput, json: boolean): Promise<number> {
  const before = await acceptRedisReset(session.redis);
  const found = before.state === 'none' ? null : new Date(before.sinceMs).toISOString();
  if (json) output.out(`${JSON.stringify({ accepted: before.state === 'pending', state_before: before.state, found_at: found })}\n`);
  if (before.state !== 'pending') {
    output.err(`no reset of Redis is pending on ${session.where}${before.state === 'accepted' ? ` (the last one was accepted; found ${found})` : ''}\n`);
    return 1;
  }
  if (!json) output.out(`accepted the reset of ${session.where} found ${found}: gateways and consumers write again, with an empty dedup window\n`);
  return 0;
}
