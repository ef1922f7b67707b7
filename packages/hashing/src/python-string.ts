/**
 * A string literal as Python's `json.dumps` writes it with `ensure_ascii=True`: short escapes for
 * `"` `\` and \b \f \n \r \t, `\uXXXX` (lowercase hex) for every other UTF-16 code unit outside
 * 0x20..0x7e, so astral characters become surrogate pairs and DEL becomes `\u007f`.
 */
export function pythonStringLiteral(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n && isPlain(s.charCodeAt(i))) i++;
  if (i === n) return `"${s}"`;

  let out = '"';
  let chunk = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isPlain(c)) continue;
    out += s.slice(chunk, i) + escapeCodeUnit(c);
    chunk = i + 1;
  }
  return `${out}${s.slice(chunk)}"`;
}

function isPlain(c: number): boolean {
  return c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c;
}

function escapeCodeUnit(c: number): string {
  switch (c) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    default:
      return `\\u${c.toString(16).padStart(4, '0')}`;
  }
}
