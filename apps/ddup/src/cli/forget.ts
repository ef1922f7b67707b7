import type { CliOutput } from './output.ts';
import { type CliSession, storeOfSpace } from './session.ts';
import type { CliSpace } from './tenant-space.ts';

/** `ddup forget`: the index of `space` forgets `hash`, so the next identical event is accepted; exit 1 when it held nothing. */
export async function forget(session: CliSession, output: CliOutput, hash: string, space: CliSpace, json: boolean): Promise<number> {
  const forgotten = await storeOfSpace(session, space).forget(session.redis, hash);
  if (json) output.out(`${JSON.stringify({ hash, forgotten })}\n`);
  if (!forgotten) {
    output.err(`not remembered: ${hash} (nothing to forget)\n`);
    return 1;
  }
  if (!json) output.out(`forgot ${hash}: the next identical event is accepted\n`);
  return 0;
}
