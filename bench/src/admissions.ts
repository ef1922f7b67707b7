import { randomUUID } from 'node:crypto';
import { type DedupEvent, eventHash, isJsonObject, parseJson } from '@ddup/hashing';
import { eventsStreamKey, seenKey, shardOf } from '@ddup/redis-keys';
import { eventJson } from './event-bodies.ts';

/** The arguments of one run of the admission script, computed ahead so that timing sees Redis only. */
export interface PreparedAdmission {
  readonly keys: readonly [seenKey: string, stream: string];
  readonly args: readonly [windowSeconds: string, hash: string, canonical: string];
}

/** The same parse the gateway does (numbers kept as written), then the event's four fields. */
function toEvent(text: string): DedupEvent {
  const body = parseJson(text);
  if (
    !isJsonObject(body) ||
    typeof body.user_id !== 'string' ||
    typeof body.event_type !== 'string' ||
    typeof body.timestamp !== 'string' ||
    !isJsonObject(body.payload)
  ) {
    throw new Error(`benchmark event has an unexpected shape: ${text}`);
  }
  return { user_id: body.user_id, event_type: body.event_type, timestamp: body.timestamp, payload: body.payload };
}

/**
 * `count` unique events of the HTTP scenarios' shape, hashed in the Python canonical form and keyed
 * as the gateway would (STREAM_SHARDS=1 unless `shardCount` says otherwise).
 */
export function prepareAdmissions(count: number, windowSeconds: number, shardCount = 1): PreparedAdmission[] {
  const timestamp = new Date().toISOString();
  const window = String(windowSeconds);
  return Array.from({ length: count }, (_, n) => {
    const { canonical, hash } = eventHash(toEvent(eventJson(randomUUID(), n, timestamp)), 'python');
    const shard = shardOf(hash, shardCount);
    return { keys: [seenKey(shard, hash), eventsStreamKey(shard)], args: [window, hash, canonical] };
  });
}
