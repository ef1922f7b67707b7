import { eventually } from '@ddup/test-utils';
import type { RedisProbe } from './redis-probe.ts';

/** Waits until the primary's INFO replication lists a replica in state online. */
export async function waitForReplicaOnline(primary: RedisProbe, timeoutMs = 20_000): Promise<void> {
  await eventually(
    'replica online (INFO replication: slave0:...state=online)',
    async () => /^slave0:.*state=online/m.test(await primary.info('replication')),
    timeoutMs,
  );
}
