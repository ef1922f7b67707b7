import { CONSUMER_GROUP, type RedisCommandSender, StreamGroup } from '@ddup/store';

/**
 * The `ddup-workers` group of `stream` as XINFO GROUPS describes it (pending, lag, entries-read,
 * ...); empty when the stream has no such group.
 */
export async function workersGroupInfo(redis: RedisCommandSender, stream: string): Promise<Record<string, unknown>> {
  return (await new StreamGroup(CONSUMER_GROUP, [stream]).info(redis, stream)) ?? {};
}
