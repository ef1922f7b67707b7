/** Malformed JSON text. The message follows Python's `json` module, e.g. `Expecting value: line 1 column 1 (char 0)`. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  /** The bare reason without the location, e.g. `Expecting ',' delimiter`. */
  readonly reason: string;
  /** Offset in UTF-16 code units (Python counts code points; they agree for ASCII text). */
  readonly position: number;
  readonly line: number;
  readonly column: number;

  constructor(reason: string, text: string, position: number) {
    const line = countNewlines(text, position) + 1;
    const column = position - (position === 0 ? -1 : text.lastIndexOf('\n', position - 1));
    super(`${reason}: line ${line} column ${column} (char ${position})`);
    this.reason = reason;
    this.position = position;
    this.line = line;
    this.column = column;
  }
}

/** JSON nested deeper than the parser's `maxDepth`. */
export class JsonDepthError extends Error {
  override readonly name = 'JsonDepthError';
  readonly maxDepth: number;
  readonly position: number;

  constructor(maxDepth: number, position: number) {
    super(`JSON nested deeper than ${maxDepth} levels (char ${position})`);
    this.maxDepth = maxDepth;
    this.position = position;
  }
}

/** A number the JCS form cannot write because it is not finite as a double (e.g. `1e400`). */
export class NonFiniteNumberError extends Error {
  override readonly name = 'NonFiniteNumberError';
  readonly text: string;

  constructor(text: string) {
    super(`Number ${text} is not finite as an IEEE 754 double; RFC 8785 cannot represent it`);
    this.text = text;
  }
}

/** A string with an unpaired surrogate, which RFC 8785 (valid Unicode only) cannot represent. */
export class LoneSurrogateError extends Error {
  override readonly name = 'LoneSurrogateError';

  constructor() {
    super('String contains an unpaired UTF-16 surrogate; RFC 8785 cannot represent it');
  }
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
