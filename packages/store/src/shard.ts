/** Largest shard count: tags stay `{s00}`..`{s255}` and the count fits one config value. */
export const MAX_SHARDS = 256;

/**
 * The shard of an event: the hash's leading 32 bits modulo the shard count. The hash is uniform,
 * so shards fill evenly; the choice depends only on the hash and the count, which is why the count
 * must never change under a live dedup window.
 */
export function shardOf(hash: string, shardCount: number): number {
  if (shardCount === 1) return 0;
  const leading = Number.parseInt(hash.slice(0, 8), 16);
  if (Number.isNaN(leading)) throw new TypeError(`not a hex hash: ${hash.slice(0, 16)}`);
  return leading % shardCount;
}
