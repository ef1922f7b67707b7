import { describe, expect, it } from 'vitest';
import { batchFormat } from './batch-format.ts';
import { splitNdjson } from './split-ndjson.ts';

describe('splitNdjson', () => {
  it('keeps non-blank lines in order (CRLF too) and counts past the limit without keeping more', () => {
    expect(splitNdjson('{"a":1}\r\n\r\n  \t\n[2]\n', 5)).toEqual({ items: ['{"a":1}\r', '[2]'], count: 2 });
    expect(splitNdjson('1\n2\n3\n4', 2)).toEqual({ items: ['1', '2'], count: 4 });
    expect(splitNdjson('', 2)).toEqual({ items: [], count: 0 });
  });

  it('allocates nothing per blank line (a million of them)', () => {
    expect(splitNdjson('\n'.repeat(1_000_000), 2)).toEqual({ items: [], count: 0 });
  });
});

describe('batchFormat', () => {
  it('reads NDJSON media types, with parameters and any case; everything else as a JSON array', () => {
    expect(batchFormat('application/x-ndjson')).toBe('ndjson');
    expect(batchFormat('Application/X-NDJSON; charset=utf-8')).toBe('ndjson');
    expect(batchFormat('application/jsonl')).toBe('ndjson');
    expect(batchFormat('application/json')).toBe('json');
    expect(batchFormat('text/plain')).toBe('json');
    expect(batchFormat(undefined)).toBe('json');
  });
});
