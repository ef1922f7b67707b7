import { JsonNumber } from './json-number.ts';
import type { JsonValue } from './json-value.ts';

/**
 * Compact JSON text of a parsed value, like `JSON.stringify`, except that numbers are written as
 * they were in the request (`JsonNumber.text`): `100.0` stays `100.0`, `18446744073709551617` and
 * `1e400` stay as written, where `JSON.stringify` would go through a JS number (`100`,
 * `18446744073709552000`, `null`). Keys keep their order; strings are escaped as `JSON.stringify`
 * escapes them (lone surrogates as `\udXXX`), so the text is valid JSON for any parsed value.
 */
export function jsonText(value: JsonValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += jsonText(value[i] ?? null);
    }
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${jsonText(item)}`;
  }
  return `${out}}`;
}
