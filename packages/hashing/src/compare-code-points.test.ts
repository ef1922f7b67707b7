import { describe, expect, it } from 'vitest';
import { canonicalPython } from './canonical-python.ts';
import { compareCodePoints, sortByCodePoint } from './compare-code-points.ts';
import { emptyJsonObject } from './json-value.ts';
import { JsonNumber } from './json-number.ts';
import { parseJson } from './parse-json.ts';

/** The reference order: code point by code point, an unpaired surrogate being its own code point. */
function referenceCompare(a: string, b: string): number {
  const pa = Array.from(a, (ch) => ch.codePointAt(0) ?? 0);
  const pb = Array.from(b, (ch) => ch.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', 'B', '_', '\u00e9', '\u4e2d', '\ue000', '\uffff', '\u{1f600}', '\u{10ffff}', '\ud83d', '\udc00'];

function randomKeys(random: () => number, count: number, withSurrogates: boolean): string[] {
  const letters = withSurrogates ? ALPHABET : ALPHABET.filter((ch) => !/[\ud800-\udfff]/.test(ch));
  const keys = new Set<string>();
  while (keys.size < count) {
    let key = '';
    const length = Math.floor(random() * 5);
    for (let i = 0; i < length; i++) key += letters[Math.floor(random() * letters.length)] ?? 'a';
    keys.add(key);
  }
  return [...keys];
}

describe('sortByCodePoint', () => {
  it.each([
    [2, false],
    [16, false],
    [17, true],
    [300, false],
    [300, true],
  ])('agrees with the reference order for %i keys (surrogates: %s)', (count, withSurrogates) => {
    const random = prng(count * 2 + (withSurrogates ? 1 : 0));
    for (let round = 0; round < 20; round++) {
      const keys = randomKeys(random, count, withSurrogates);
      const expected = [...keys].sort(referenceCompare);
      expect(sortByCodePoint([...keys])).toEqual(expected);
      expect([...keys].sort(compareCodePoints)).toEqual(expected);
    }
  });

  it('puts U+E000..U+FFFF before astral characters even when the set has no lone surrogate', () => {
    // Astral characters are surrogate pairs in UTF-16, so they take the comparator path.
    expect(sortByCodePoint(['\u{1f600}', '\uffff', 'a', '\ue000'])).toEqual(['a', '\ue000', '\uffff', '\u{1f600}']);
  });

  it('sorts 100,000 keys quickly (O(n log n), not an insertion sort)', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${(i * 7919) % 100_000}`);
    const started = performance.now();
    sortByCodePoint(keys);
    // Generous: a few tens of ms here; an O(n²) sort takes many seconds.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(keys.slice(0, 3)).toEqual(['k0', 'k1', 'k10']);
  });
});

describe('an object with 100,000 keys', () => {
  it('parses, keeps the last of duplicate keys and canonicalizes in key order, in well under a second', () => {
    const members = Array.from({ length: 100_000 }, (_, i) => `"${((i * 7919) % 100_000).toString(36)}":${i}`);
    const text = `{${members.join(',')},"0":"last"}`;
    const started = performance.now();
    const canonical = canonicalPython(parseJson(text));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(canonical.startsWith('{"0": "last", "1": ')).toBe(true);
    expect(canonical.match(/": /g)).toHaveLength(100_000);
  });

  it('100,000 copies of one key keep only the last value', () => {
    const text = `{${Array.from({ length: 100_000 }, (_, i) => `"k":${i}`).join(',')}}`;
    const expected = emptyJsonObject();
    expected['k'] = new JsonNumber('99999');
    expect(parseJson(text)).toEqual(expected);
  });
});
