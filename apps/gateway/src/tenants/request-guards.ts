import { createHash } from 'node:crypto';
import { idempotencyKeyReused, invalidIdempotencyKey, quotaExceeded, rateLimited } from '../errors.ts';
import type { DedupSpace } from '../admission/dedup-space.ts';

/** The longest Idempotency-Key taken (the draft sets none; Stripe takes 255). */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/** The request's Idempotency-Key, checked (400 when empty or too long), or undefined when it sent none. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  // A structured-field string (`"abc"`, as the draft writes it) and a bare token are the same key.
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (key === '') throw invalidIdempotencyKey('Idempotency-Key must not be empty');
  if (key.length > MAX_IDEMPOTENCY_KEY_CHARS) throw invalidIdempotencyKey(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_CHARS} characters`);
  return key;
}

/**
 * Notes what the key came with; 422 when it came before with other content, 429 when it is new and
 * the tenant holds its max_idempotency_keys. The same content goes on to admission, whose content
 * deduplication answers it (409 when its event was stored).
 */
export async function checkIdempotencyKey(space: DedupSpace, key: string, contentHash: string): Promise<void> {
  const digest = createHash('sha256').update(key, 'utf8').digest('hex');
  const claim = await space.claimIdempotencyKey(digest, contentHash);
  if (claim === 'different') throw idempotencyKeyReused();
  if (typeof claim === 'object') throw quotaExceeded(claim.retryAfterMs, space.maxIdempotencyKeys ?? 0);
}

/**
 * Takes `events` tokens from the tenant's rate limit, or refuses the whole request with 429. Every
 * request costs at least one: a batch with no valid item is work too (and was a way past the limit).
 */
export async function enforceRateLimit(space: DedupSpace, events: number): Promise<void> {
  if (space.rateLimitPerSecond === undefined) return;
  const decision = await space.takeTokens(Math.max(1, events));
  if (!decision.allowed) throw rateLimited(decision.retryAfterMs, space.rateLimitPerSecond);
}
