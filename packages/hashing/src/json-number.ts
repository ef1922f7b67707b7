/**
 * A JSON number kept exactly as written in the request text.
 * JS numbers lose the difference between `100.0` and `100` and every integer beyond 2^53;
 * the Python canonical form needs both.
 */
export class JsonNumber {
  readonly text: string;

  /** `text` must already be a valid JSON number; `parseJson` is the usual source. */
  constructor(text: string) {
    this.text = text;
  }

  /** Used by `JSON.stringify` and the `canonicalize` package. */
  toJSON(): number {
    return Number(this.text);
  }
}
