import { CONSUMER_GROUP, type RedisCommandSender } from '@ddup/store';

/**
 * Creates the consumer group on each stream (and the stream itself) if missing. The group starts
 * at `0`, so events admitted before any consumer ever ran are confirmed too.
 */
export async function ensureConsumerGroup(redis: RedisCommandSender, streams: readonly string[]): Promise<void> {
  await Promise.all(
    streams.map(async (stream) => {
      try {
        await redis.sendCommand(['XGROUP', 'CREATE', stream, CONSUMER_GROUP, '0', 'MKSTREAM']);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
      }
    }),
  );
}
