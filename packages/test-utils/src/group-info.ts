import { CONSUMER_GROUP } from '@ddup/store';

interface Sender {
  sendCommand<T = unknown>(args: readonly string[]): Promise<T>;
}

/**
 * The `ddup-workers` group of `stream` as XINFO GROUPS describes it (RESP2's flat name/value
 * list made a record: pending, lag, entries-read, ...); empty when the stream has no such group.
 */
export async function workersGroupInfo(redis: Sender, stream: string): Promise<Record<string, unknown>> {
  const groups = await redis.sendCommand<unknown[][]>(['XINFO', 'GROUPS', stream]);
  const flat = groups.find((group) => group[group.indexOf('name') + 1] === CONSUMER_GROUP) ?? [];
  const info: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
  return info;
}
