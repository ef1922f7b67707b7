/**
 * Orders strings by Unicode code point, as Python sorts `str`. JS's default order compares UTF-16
 * code units, which puts U+E000..U+FFFF after astral characters; an unpaired surrogate counts as its
 * own code point (U+D800..U+DFFF), as in Python.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (ca < 0xd800 && cb < 0xd800) return ca - cb;
  // Step back to the start of the code point when i sits after a shared high surrogate.
  const start = i > 0 && isHighSurrogate(a.charCodeAt(i - 1)) ? i - 1 : i;
  const pa = codePointAt(a, start);
  const pb = codePointAt(b, start);
  if (pa !== pb) return pa - pb;
  // Both had a lone high surrogate at `start`; the next code points decide.
  return codePointAt(a, i) - codePointAt(b, i);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function codePointAt(s: string, i: number): number {
  const cp = s.codePointAt(i);
  return cp ?? -1;
}

/** Sorts `keys` in place by code point; insertion sort for the small key sets objects usually have. */
export function sortByCodePoint(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort(compareCodePoints);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] ?? '';
    let j = i - 1;
    for (; j >= 0 && compareCodePoints(keys[j] ?? '', key) > 0; j--) keys[j + 1] = keys[j] ?? '';
    keys[j + 1] = key;
  }
  return keys;
}
