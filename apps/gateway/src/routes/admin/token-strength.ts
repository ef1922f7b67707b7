/** Shorter admin tokens are refused at start-up: the token is all that guards forgetting and replaying. */
export const ADMIN_TOKEN_MIN_CHARS = 16;
/** Fewer different characters than this is a pattern (`aaaa…`, `abab…`), not a secret. */
export const ADMIN_TOKEN_MIN_DISTINCT_CHARS = 8;
/**
 * The least estimated entropy: the token's length times the Shannon entropy of its characters'
 * frequencies. Sixteen random hex digits estimate at ~50 bits, `openssl rand -hex 32` at ~250.
 */
export const ADMIN_TOKEN_MIN_BITS = 40;

/** The token's length times the Shannon entropy of its own character frequencies, in bits. */
export function estimatedEntropyBits(token: string): number {
  const characters = [...token];
  const counts = new Map<string, number>();
  for (const character of characters) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bitsPerCharacter = 0;
  for (const count of counts.values()) {
    const p = count / characters.length;
    bitsPerCharacter -= p * Math.log2(p);
  }
  return characters.length * bitsPerCharacter;
}

/**
 * Why `token` is too weak to guard the admin routes, or undefined when it will do. The message
 * never repeats the token.
 */
export function adminTokenWeakness(token: string): string | undefined {
  const advice = 'use a random secret, e.g. from `openssl rand -hex 32`';
  const characters = [...token];
  if (characters.length < ADMIN_TOKEN_MIN_CHARS) return `must be at least ${ADMIN_TOKEN_MIN_CHARS} characters: ${advice}`;
  const distinct = new Set(characters).size;
  if (distinct < ADMIN_TOKEN_MIN_DISTINCT_CHARS) {
    return `has only ${distinct} different characters (at least ${ADMIN_TOKEN_MIN_DISTINCT_CHARS} needed): ${advice}`;
  }
  const bits = estimatedEntropyBits(token);
  if (bits < ADMIN_TOKEN_MIN_BITS) return `is too predictable (about ${Math.floor(bits)} bits of entropy, at least ${ADMIN_TOKEN_MIN_BITS} needed): ${advice}`;
  return undefined;
}
