import { createHash, timingSafeEqual } from 'node:crypto';
import type { Tenant } from './tenants-file.ts';

/** The SHA-256 of a key, as TENANTS_FILE lists it (`sha256:<hex>`). */
export function apiKeyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * The tenant whose API key `presented` is, or undefined. Every configured digest is compared, in
 * constant time, whatever matched first: neither the time nor the lengths (all 32 bytes) tell an
 * attacker how close a guess was or which tenant it nearly hit.
 */
export function tenantOfApiKey(tenants: readonly Tenant[], presented: string): Tenant | undefined {
  const digest = apiKeyDigest(presented);
  let found: Tenant | undefined;
  for (const tenant of tenants) {
    for (const known of tenant.apiKeyDigests) {
      if (timingSafeEqual(known, digest) && found === undefined) found = tenant;
    }
  }
  return found;
}
