import { validationError } from '../errors.ts';
import { invalidUtf8Problem } from '../validation/problems.ts';

// `fatal`: a byte sequence that is not UTF-8 is an error, never a silent U+FFFD (two different bodies
// must not hash alike). A leading UTF-8 BOM is dropped, as Python's `json.loads(bytes)` did.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text; bytes that are not UTF-8 are a 422 `json_invalid` at their byte offset. */
export function decodeUtf8Body(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw validationError([invalidUtf8Problem(firstInvalidUtf8Offset(bytes) ?? 0)]);
  }
}

/**
 * The offset of the first byte of the first ill-formed UTF-8 sequence (Unicode table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence), or undefined.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= n) return i;
    const second = bytes[i + 1] ?? 0;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const next = bytes[i + k] ?? 0;
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += need + 1;
  }
  return undefined;
}
