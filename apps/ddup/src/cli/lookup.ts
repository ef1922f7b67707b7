import type { RememberedEvent } from '@ddup/store';
import type { CliOutput } from './output.ts';
import { table } from './output.ts';
import { type CliSession, storeOfSpace } from './session.ts';
import type { CliSpace } from './tenant-space.ts';

/** What `--json` prints: the body of `GET /admin/events/{hash}`. */
function rememberedJson(event: RememberedEvent) {
  return {
    hash: event.hash,
    state: event.state,
    first_seen_at: new Date(event.firstSeenMs).toISOString(),
    expires_at: new Date(event.expiresMs).toISOString(),
  };
}

/** `ddup lookup`: what the index remembers of `hash` in `space`; exit 1 when it remembers nothing. */
export async function lookup(session: CliSession, output: CliOutput, hash: string, space: CliSpace, json: boolean): Promise<number> {
  const remembered = await storeOfSpace(session, space).lookup(session.redis, hash);
  if (remembered === undefined) {
    const where = space.tenant === undefined ? '' : ` by tenant ${space.tenant.id}`;
    output.err(`not remembered: ${hash} (never accepted${where} within the last ${space.windowSeconds} s, or forgotten)\n`);
    return 1;
  }
  const body = rememberedJson(remembered);
  if (json) output.out(`${JSON.stringify(body)}\n`);
  else
    output.out(
      table([
        ['hash', body.hash],
        ['state', body.state],
        ['first seen', body.first_seen_at],
        ['expires', body.expires_at],
        ['shard', session.store.shardOf(hash)],
        ...(space.tenant === undefined ? [] : [['tenant', space.tenant.id]]),
      ]),
    );
  return 0;
}
