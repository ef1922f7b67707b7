/** Where the structure of a JSON array first goes wrong, for the 422 (see `json-array-body.ts`). */
export interface ArrayStructureFailure {
  /** Offset of the problem, and the parser's wording of it, if the element before it is fine. */
  readonly position: number;
  readonly reason: string;
  /** The element being read when it went wrong, `[pendingStart, pendingEnd)`: an error inside it comes first. */
  readonly pendingStart: number;
  readonly pendingEnd: number;
}

/** The top-level elements of a JSON array, as text, found without parsing them. */
export interface ArraySplit {
  /** Each element's text (with the whitespace around it), in order; at most `maxItems` of them. */
  readonly items: string[];
  /** Where each of `items` starts in the body. */
  readonly starts: number[];
  /** How many elements the array has (more than `items.length` when over `maxItems`). */
  readonly count: number;
  readonly failure?: ArrayStructureFailure;
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isJsonWhitespace(code: number): boolean {
  return code === SPACE || code === NEWLINE || code === RETURN || code === TAB;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (isJsonWhitespace(text.charCodeAt(i))) i++;
  return i;
}

function isBlank(text: string, start: number, end: number): boolean {
  return skipWhitespace(text, start) >= end;
}

/** The offset of the quote that closes the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

/**
 * Splits the body of a JSON array into the texts of its elements in one pass, tracking only strings
 * and bracket depth: each element is then parsed on its own (bounded work per element, the event
 * loop can breathe between them, and a body with too many elements is refused before any parsing).
 * The elements are not checked here; if each one parses, the whole text is a valid array of exactly
 * those values. Returns undefined when the text does not start with `[`.
 */
export function splitJsonArray(text: string, maxItems: number): ArraySplit | undefined {
  const open = skipWhitespace(text, 0);
  if (text.charCodeAt(open) !== OPEN_BRACKET) return undefined;
  const items: string[] = [];
  const starts: number[] = [];
  let count = 0;
  const split = (failure?: ArrayStructureFailure): ArraySplit => (failure ? { items, starts, count, failure } : { items, starts, count });
  const fail = (position: number, reason: string, pendingStart: number, pendingEnd: number) => split({ position, reason, pendingStart, pendingEnd });
  const afterOpen = skipWhitespace(text, open + 1);
  if (text.charCodeAt(afterOpen) === CLOSE_BRACKET) {
    const extra = skipWhitespace(text, afterOpen + 1);
    return extra === text.length ? split() : fail(extra, 'Extra data', extra, extra);
  }

  const n = text.length;
  let start = open + 1;
  let depth = 0;
  for (let i = start; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return fail(i, 'Unterminated string starting at', start, n);
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (depth === 0 && (code === COMMA || code === CLOSE_BRACKET || code === CLOSE_BRACE)) {
      if (isBlank(text, start, i)) return fail(i, 'Expecting value', i, i);
      if (code === CLOSE_BRACE) return fail(i, "Expecting ',' delimiter", start, i);
      count++;
      if (count <= maxItems) {
        items.push(text.slice(start, i));
        starts.push(start);
      }
      if (code === CLOSE_BRACKET) {
        const extra = skipWhitespace(text, i + 1);
        return extra === n ? split() : fail(extra, 'Extra data', extra, extra);
      }
      start = i + 1;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    }
  }
  return isBlank(text, start, n) ? fail(n, 'Expecting value', n, n) : fail(n, "Expecting ',' delimiter", start, n);
}
