import canonicalizeJcs from 'canonicalize';
import { LoneSurrogateError, NonFiniteNumberError } from './errors.ts';
import { JsonNumber } from './json-number.ts';
import type { JsonValue } from './json-value.ts';

/**
 * RFC 8785 (JSON Canonicalization Scheme) text of `value`. Numbers go through IEEE 754 doubles as
 * the RFC requires, so `100.0` and `100` are the same and big integers lose precision.
 * Throws `NonFiniteNumberError` (e.g. `1e400`) or `LoneSurrogateError`, which JCS cannot write.
 */
export function canonicalJcs(value: JsonValue): string {
  let out: string | undefined;
  try {
    out = canonicalizeJcs(value);
  } catch (error) {
    // The package throws plain Errors; find the cause ourselves rather than match its messages.
    throw findUnrepresentable(value) ?? error;
  }
  if (out === undefined) throw new TypeError('canonicalize returned undefined for a JSON value');
  return out;
}

function findUnrepresentable(value: JsonValue): Error | undefined {
  if (value instanceof JsonNumber) {
    return Number.isFinite(value.toJSON()) ? undefined : new NonFiniteNumberError(value.text);
  }
  if (typeof value === 'string') return hasLoneSurrogate(value) ? new LoneSurrogateError() : undefined;
  if (value === null || typeof value === 'boolean') return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findUnrepresentable(item);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const found = findUnrepresentable(key) ?? findUnrepresentable(value[key] ?? null);
    if (found) return found;
  }
  return undefined;
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return true;
    i++;
  }
  return false;
}
