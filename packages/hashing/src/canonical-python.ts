import { sortByCodePoint } from './compare-code-points.ts';
import { JsonNumber } from './json-number.ts';
import type { JsonObject, JsonValue } from './json-value.ts';
import { formatPythonFloat } from './python-float.ts';
import { pythonStringLiteral } from './python-string.ts';

/**
 * Byte-for-byte Python's `json.dumps(value, sort_keys=True)` for a value `json.loads` would have
 * produced from the same text: `", "` and `": "` separators, keys in code point order, ASCII only.
 */
export function canonicalPython(value: JsonValue): string {
  if (typeof value === 'string') return pythonStringLiteral(value);
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value instanceof JsonNumber) return pythonNumber(value.text);
  if (Array.isArray(value)) return pythonArray(value);
  return pythonObject(value);
}

/**
 * JSON's integer grammar has no leading zeros or `+`, so a Python int prints as its own text
 * (any size), except `-0`, which is int 0. Anything with `.`, `e` or `E` is a Python float.
 */
export function pythonNumber(text: string): string {
  if (isIntegerText(text)) return text === '-0' ? '0' : text;
  return formatPythonFloat(Number(text));
}

function isIntegerText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) return false;
  }
  return true;
}

function pythonArray(values: JsonValue[]): string {
  if (values.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ', ';
    out += canonicalPython(values[i] ?? null);
  }
  return `${out}]`;
}

function pythonObject(obj: JsonObject): string {
  const keys = Object.keys(obj);
  if (keys.length === 0) return '{}';
  sortByCodePoint(keys);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? '';
    if (i > 0) out += ', ';
    out += `${pythonStringLiteral(key)}: ${canonicalPython(obj[key] ?? null)}`;
  }
  return `${out}}`;
}
