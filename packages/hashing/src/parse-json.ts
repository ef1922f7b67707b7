import { JsonDepthError, JsonSyntaxError } from './errors.ts';
import { JsonNumber } from './json-number.ts';
import { emptyJsonObject, type JsonObject, type JsonValue } from './json-value.ts';

export interface ParseJsonOptions {
  /** Deepest allowed nesting of arrays and objects; default 128. */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 128;

/**
 * Strict RFC 8259 parser that accepts what Python's `json.loads` accepts, with two differences:
 * the NaN / Infinity / -Infinity literals (a Python extension, not JSON) are rejected, and nesting
 * is capped by `maxDepth` (Python stops at its recursion limit instead).
 * Numbers keep their text (`JsonNumber`), duplicate keys keep the last value, lone surrogate
 * escapes are allowed, and objects have a null prototype.
 */
export function parseJson(text: string, options?: ParseJsonOptions): JsonValue {
  return new Parser(text, options?.maxDepth ?? DEFAULT_MAX_DEPTH).parseDocument();
}

// Code units the scanner looks for.
const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const ZERO = 0x30;
const ONE = 0x31;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const LOWER_B = 0x62;
const LOWER_E = 0x65;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;
const LOWER_R = 0x72;
const LOWER_T = 0x74;
const LOWER_U = 0x75;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BOM = 0xfeff;

class Parser {
  private readonly text: string;
  private readonly maxDepth: number;
  private pos = 0;
  private depth = 0;

  constructor(text: string, maxDepth: number) {
    this.text = text;
    this.maxDepth = maxDepth;
  }

  parseDocument(): JsonValue {
    if (this.text.charCodeAt(0) === BOM) this.fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
    this.skipWhitespace();
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('Extra data', this.pos);
    return value;
  }

  private parseValue(): JsonValue {
    const text = this.text;
    const start = this.pos;
    switch (text.charCodeAt(start)) {
      case QUOTE:
        return this.parseString();
      case OPEN_BRACE:
        return this.parseObject();
      case OPEN_BRACKET:
        return this.parseArray();
      case LOWER_N:
        return this.parseLiteral('null', null);
      case LOWER_T:
        return this.parseLiteral('true', true);
      case LOWER_F:
        return this.parseLiteral('false', false);
      default:
        return this.parseNumber();
    }
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('Expecting value', this.pos);
    this.pos += word.length;
    return value;
  }

  /** Takes the longest valid number prefix, as Python's scanner does: `1.` reads `1` and leaves `.`. */
  private parseNumber(): JsonNumber {
    const text = this.text;
    const start = this.pos;
    let i = start;
    let c = text.charCodeAt(i);
    if (c === MINUS) c = text.charCodeAt(++i);
    if (c === ZERO) {
      i++;
    } else if (c >= ONE && c <= NINE) {
      i = skipDigits(text, i + 1);
    } else {
      this.fail('Expecting value', start);
    }
    if (text.charCodeAt(i) === DOT && isDigit(text.charCodeAt(i + 1))) {
      i = skipDigits(text, i + 2);
    }
    c = text.charCodeAt(i);
    if (c === LOWER_E || c === UPPER_E) {
      let j = i + 1;
      c = text.charCodeAt(j);
      if (c === PLUS || c === MINUS) c = text.charCodeAt(++j);
      if (isDigit(c)) i = skipDigits(text, j + 1);
    }
    this.pos = i;
    return new JsonNumber(text.slice(start, i));
  }

  private parseString(): string {
    const text = this.text;
    const quote = this.pos;
    let i = quote + 1;
    // Fast path: no escapes, the value is one slice of the input.
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return text.slice(quote + 1, i);
      }
      if (c === BACKSLASH) break;
      // NaN past the end of the text also fails here.
      if (!(c >= SPACE)) this.failInString(c, quote, i);
      i++;
    }
    return this.parseEscapedString(quote, i);
  }

  private parseEscapedString(quote: number, firstBackslash: number): string {
    const text = this.text;
    let out = text.slice(quote + 1, firstBackslash);
    let chunk = firstBackslash;
    let i = firstBackslash;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return out + text.slice(chunk, i);
      }
      if (c === BACKSLASH) {
        out += text.slice(chunk, i);
        const e = text.charCodeAt(i + 1);
        if (e === LOWER_U) {
          const code = readHex4(text, i + 2);
          if (code < 0) this.fail('Invalid \\uXXXX escape', i + 1);
          out += String.fromCharCode(code);
          i += 6;
        } else {
          const decoded = shortEscape(e);
          if (decoded === undefined) {
            if (Number.isNaN(e)) this.fail('Unterminated string starting at', quote);
            this.fail('Invalid \\escape', i);
          }
          out += decoded;
          i += 2;
        }
        chunk = i;
        continue;
      }
      // NaN past the end of the text also fails here.
      if (!(c >= SPACE)) this.failInString(c, quote, i);
      i++;
    }
  }

  private parseObject(): JsonObject {
    this.enter();
    const text = this.text;
    const obj = emptyJsonObject();
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      this.depth--;
      return obj;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) !== QUOTE) {
        this.fail('Expecting property name enclosed in double quotes', this.pos);
      }
      const key = this.parseString();
      this.skipWhitespace();
      if (text.charCodeAt(this.pos) !== COLON) this.fail("Expecting ':' delimiter", this.pos);
      this.pos++;
      this.skipWhitespace();
      obj[key] = this.parseValue();
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === CLOSE_BRACE) {
        this.pos++;
        this.depth--;
        return obj;
      }
      if (c !== COMMA) this.fail("Expecting ',' delimiter", this.pos);
      this.pos++;
      this.skipWhitespace();
    }
  }

  private parseArray(): JsonValue[] {
    this.enter();
    const text = this.text;
    const arr: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      this.depth--;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue());
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === CLOSE_BRACKET) {
        this.pos++;
        this.depth--;
        return arr;
      }
      if (c !== COMMA) this.fail("Expecting ',' delimiter", this.pos);
      this.pos++;
      this.skipWhitespace();
    }
  }

  /** Checked before descending, so a 100,000-deep input fails at level maxDepth + 1. */
  private enter(): void {
    if (++this.depth > this.maxDepth) throw new JsonDepthError(this.maxDepth, this.pos);
  }

  private skipWhitespace(): void {
    const text = this.text;
    let i = this.pos;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c !== SPACE && c !== NEWLINE && c !== RETURN && c !== TAB) break;
      i++;
    }
    this.pos = i;
  }

  /** `c` is a code unit below 0x20, or NaN past the end of the text. */
  private failInString(c: number, quote: number, at: number): never {
    if (Number.isNaN(c)) this.fail('Unterminated string starting at', quote);
    this.fail('Invalid control character at', at);
  }

  private fail(reason: string, position: number): never {
    throw new JsonSyntaxError(reason, this.text, position);
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function skipDigits(text: string, from: number): number {
  let i = from;
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** The value of four hex digits at `from`, or -1. */
function readHex4(text: string, from: number): number {
  let code = 0;
  for (let i = from; i < from + 4; i++) {
    const d = hexDigit(text.charCodeAt(i));
    if (d < 0) return -1;
    code = (code << 4) | d;
  }
  return code;
}

function hexDigit(c: number): number {
  if (isDigit(c)) return c - ZERO;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function shortEscape(c: number): string | undefined {
  switch (c) {
    case QUOTE:
      return '"';
    case BACKSLASH:
      return '\\';
    case SLASH:
      return '/';
    case LOWER_B:
      return '\b';
    case LOWER_F:
      return '\f';
    case LOWER_N:
      return '\n';
    case LOWER_R:
      return '\r';
    case LOWER_T:
      return '\t';
    default:
      return undefined;
  }
}
