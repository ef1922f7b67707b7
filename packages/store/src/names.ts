/** The consumer group every ddup worker reads with. */
export const CONSUMER_GROUP = 'ddup-workers';

/** The key prefix shared by everything ddup stores. */
export const KEY_PREFIX = 'ddup';

/**
 * The hash tag of a shard, `{s00}`, `{s01}`, ...: every key of one shard carries it, so on Redis
 * Cluster a shard's stream and its index buckets live in one slot and one script can touch them all.
 */
export function shardTag(shard: number): string {
  return `{s${String(shard).padStart(2, '0')}}`;
}

/** The stream of admitted events of one shard: `ddup:{s00}:events`. */
export function eventsStreamKey(shard: number): string {
  return `${KEY_PREFIX}:${shardTag(shard)}:events`;
}

/** The dead-letter stream of one shard: `ddup:{s00}:dead`. */
export function deadLetterStreamKey(shard: number): string {
  return `${KEY_PREFIX}:${shardTag(shard)}:dead`;
}

/** What a sink's consumer group is called: `ddup-sink:<id>` (one group per SINKS_FILE sink on every stream). */
export const SINK_GROUP_PREFIX = 'ddup-sink:';

/** The consumer group of sink `sink`: `ddup-sink:<sink>`. */
export function sinkGroupName(sink: string): string {
  return `${SINK_GROUP_PREFIX}${sink}`;
}

/** The sink a consumer group belongs to, or undefined when it is not a sink's group. */
export function sinkOfGroupName(group: string): string | undefined {
  return group.startsWith(SINK_GROUP_PREFIX) ? group.slice(SINK_GROUP_PREFIX.length) : undefined;
}

/** A sink's dead letters on one shard: `ddup:{s00}:dead:<sink>`. */
export function sinkDeadLetterStreamKey(shard: number, sink: string): string {
  return `${deadLetterStreamKey(shard)}:${sink}`;
}

/**
 * What an operator asked to deliver again to one sink on one shard (a time range, or its dead
 * letters): `ddup:{s00}:replay:<sink>`, read by the sink's group like the events stream.
 */
export function sinkReplayStreamKey(shard: number, sink: string): string {
  return `${KEY_PREFIX}:${shardTag(shard)}:replay:${sink}`;
}

/** The shard of any of a shard's stream keys (`ddup:{s03}:...`), or undefined. */
export function shardOfStreamKey(key: string): number | undefined {
  const match = /^ddup:\{s(\d+)\}:/.exec(key);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Every events stream, in shard order. */
export function allEventsStreamKeys(shardCount: number): string[] {
  return Array.from({ length: shardCount }, (_, shard) => eventsStreamKey(shard));
}

/** The shard whose events stream is `key`, or undefined when `key` is not an events stream. */
export function shardOfEventsStreamKey(key: string): number | undefined {
  const match = /^ddup:\{s(\d+)\}:events$/.exec(key);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** What the index holds of an event: admitted and waiting for a worker, or confirmed by a worker. */
export const SeenState = {
  pending: 'pending',
  processed: 'processed',
} as const;
export type SeenState = (typeof SeenState)[keyof typeof SeenState];

/**
 * The shard count the data was written with, recorded on first start. A different STREAM_SHARDS
 * would look for every event in another shard and silently cut the dedup window.
 */
export const SHARD_COUNT_KEY = `${KEY_PREFIX}:meta:stream-shards`;

/** The index layout the data was written with (layout name, buckets per shard, INDEX_CAPACITY). */
export const INDEX_LAYOUT_KEY = `${KEY_PREFIX}:meta:index`;

/**
 * A reset of Redis found by a process that had seen the layout records and found them gone
 * (`pending <ms>`), and whether an operator accepted it (`accepted <ms>`): see redis-reset.ts.
 */
export const REDIS_RESET_KEY = `${KEY_PREFIX}:meta:reset`;

/**
 * The per-event key of the layout before the compact index (`ddup:{s00}:seen:<hash>`): no longer
 * written; named for the layout check that finds such data and for the index bench's comparison.
 */
export function formerSeenKey(shard: number, hash: string): string {
  return `${KEY_PREFIX}:${shardTag(shard)}:seen:${hash}`;
}

/** The key the Python service wrote for an event (SETEX <hash> ... 1 in db 0): the bare hex hash. */
export function legacyKey(hash: string): string {
  return hash;
}

/** What a tenant id may be: it becomes part of key names (and a metrics label). */
export const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The part of a key name that says whose dedup space it is: nothing for the default space (one
 * open tenant, the names ddup always had), `t:<tenant>:` for a tenant of TENANTS_FILE.
 */
export function tenantPart(tenant: string | undefined): string {
  if (tenant === undefined) return '';
  if (!TENANT_ID.test(tenant)) throw new RangeError(`not a tenant id: ${JSON.stringify(tenant)}`);
  return `t:${tenant}:`;
}

/**
 * The content an Idempotency-Key was first used with, for the window: `ddup:{s00}:ik:<digest>`
 * (`ddup:{s00}:t:<tenant>:ik:<digest>` for a tenant), where the digest is the SHA-256 of the key
 * and the shard is taken from it, so keys spread over the shards' slots.
 */
export function idempotencyKeyName(shard: number, keyDigest: string, tenant?: string): string {
  return `${KEY_PREFIX}:${shardTag(shard)}:${tenantPart(tenant)}ik:${keyDigest}`;
}

/** A glob matching every key of a tenant's dedup space (index buckets, Idempotency-Keys, their counts), of every shard and tenant. */
export const TENANT_KEY_PATTERN = `${KEY_PREFIX}:*:t:*`;

const IDEMPOTENCY_KEY_NAME = new RegExp(`^${KEY_PREFIX}:\\{s(\\d+)\\}:(?:t:([A-Za-z0-9_-]{1,64}):)?ik:[0-9a-f]{64}$`);

/** The shard and tenant (undefined: the default space) of an Idempotency-Key record's name; undefined for any other name. */
export function spaceOfIdempotencyKeyName(key: string): { readonly shard: number; readonly tenant: string | undefined } | undefined {
  const match = IDEMPOTENCY_KEY_NAME.exec(key);
  return match?.[1] === undefined ? undefined : { shard: Number(match[1]), tenant: match[2] };
}

/** Every Idempotency-Key record of `tenant`, over all shards: a KEYS or SCAN MATCH pattern. */
export function idempotencyKeyPattern(tenant: string): string {
  return `${KEY_PREFIX}:*:${tenantPart(tenant)}ik:*`;
}

/**
 * How many Idempotency-Keys a tenant noted on one shard in the last window, for its
 * max_idempotency_keys: `ddup:{s00}:t:<tenant>:ik-count` (a small hash of time slots).
 */
export function idempotencyCountKey(shard: number, tenant: string): string {
  return `${KEY_PREFIX}:${shardTag(shard)}:${tenantPart(tenant)}ik-count`;
}

/** A tenant's rate-limit token bucket: `ddup:rate:{t:<tenant>}`, in a slot of its own (one key, one script). */
export function rateLimitKey(tenant: string): string {
  return `${KEY_PREFIX}:rate:{${tenantPart(tenant).slice(0, -1)}}`;
}
