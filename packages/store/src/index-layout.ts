import { KEY_PREFIX, shardTag, tenantPart } from './names.ts';

/** The name of the index layout this version writes, recorded in `ddup:meta:index`. */
export const INDEX_LAYOUT = 'packed-records-v1';

/**
 * Records a bucket holds when the window holds INDEX_CAPACITY events. An admission reads its whole
 * bucket, so this bounds its cost; it is also where per-key overhead (~170 B a key) stops mattering.
 */
export const RECORDS_PER_BUCKET = 128;

/** INDEX_CAPACITY when unset: 10 million events per window (16 a second over 7 days), ~78k buckets. */
export const DEFAULT_INDEX_CAPACITY = 10_000_000;

/** Bytes before the records of a bucket: the Unix second its key expires at. */
export const BUCKET_HEADER_BYTES = 4;

/** Bytes of one record: a 12-byte fingerprint and a 4-byte word (second and state); see includes/index.lua. */
export const RECORD_BYTES = 16;

/** How a deployment's index is laid out: fixed on first start, since a bucket's key depends on it. */
export interface IndexLayout {
  readonly shardCount: number;
  readonly bucketsPerShard: number;
}

/**
 * The layout for `capacity` events per window over `shardCount` shards: enough buckets that each
 * holds about RECORDS_PER_BUCKET records when the window is full.
 */
export function indexLayoutOf(shardCount: number, capacity: number): IndexLayout {
  return { shardCount, bucketsPerShard: Math.max(1, Math.ceil(capacity / (RECORDS_PER_BUCKET * shardCount))) };
}

/**
 * The bucket of an event within its shard: bytes 4..7 of the hash modulo the bucket count (the
 * shard takes bytes 0..3, the fingerprint bytes 8..19, so the three are independent).
 */
export function bucketOf(hash: string, bucketsPerShard: number): number {
  const word = Number.parseInt(hash.slice(8, 16), 16);
  if (Number.isNaN(word)) throw new TypeError(`not a hex hash: ${hash.slice(0, 16)}`);
  return word % bucketsPerShard;
}

/**
 * The 12 bytes of the hash the index keeps of an event (bytes 8..19), sent to the scripts as binary:
 * with the shard and bucket bits, 96 + log2(buckets) bits tell two events apart.
 */
export function fingerprintOf(hash: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new TypeError(`not a hex SHA-256: ${hash.slice(0, 16)}`);
  return Buffer.from(hash.slice(16, 40), 'hex');
}

/** A glob matching every index bucket key, of every shard and space (SCAN MATCH). */
export const INDEX_BUCKET_KEY_PATTERN = `${KEY_PREFIX}:*ix:*`;

const INDEX_BUCKET_KEY = new RegExp(`^${KEY_PREFIX}:\\{s(\\d+)\\}:(?:t:([A-Za-z0-9_-]{1,64}):)?ix:\\d+$`);

/** The shard and tenant (undefined: the default space) of an index bucket key; undefined for any other name. */
export function spaceOfIndexBucketKey(key: string): { readonly shard: number; readonly tenant: string | undefined } | undefined {
  const match = INDEX_BUCKET_KEY.exec(key);
  return match?.[1] === undefined ? undefined : { shard: Number(match[1]), tenant: match[2] };
}

/**
 * One bucket of a shard's index: `ddup:{s00}:ix:<bucket>`, a string of packed records; a tenant's
 * own index is `ddup:{s00}:t:<tenant>:ix:<bucket>` (the same hash tag: the shard's slot).
 */
export function indexBucketKey(shard: number, bucket: number, tenant?: string): string {
  return `${KEY_PREFIX}:${shardTag(shard)}:${tenantPart(tenant)}ix:${bucket}`;
}
