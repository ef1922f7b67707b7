/** The events of an NDJSON body: one per line that is not blank. */
export interface LineSplit {
  /** Each non-blank line's text, in order; at most `maxItems` of them. */
  readonly items: string[];
  /** How many non-blank lines the body has (more than `items.length` when over `maxItems`). */
  readonly count: number;
}

/** Space, tab and carriage return (so CRLF line ends work): what a blank line may hold. */
function isBlankLine(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return false;
  }
  return true;
}

/**
 * Splits an NDJSON body at `\n` and drops blank lines. Lines are found with indexOf, never
 * `split('\n')`, so a body of millions of empty lines allocates nothing per line.
 */
export function splitNdjson(text: string, maxItems: number): LineSplit {
  const items: string[] = [];
  let count = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (!isBlankLine(text, start, end)) {
      count++;
      if (count <= maxItems) items.push(text.slice(start, end));
    }
    start = end + 1;
  }
  return { items, count };
}
