import { describe, expect, it } from 'vitest';
import { JsonDepthError, JsonSyntaxError, parseJson } from '@ddup/hashing';
import { ApiError } from '../../errors.ts';
import { parseArrayElement, splitJsonBatch } from './json-array-body.ts';
import { MAX_EVENT_DEPTH } from '../../validation/event-json.ts';

const limits = { maxEvents: 7, eventLimitBytes: 1024 };

/** What the batch route answers for a JSON body: the parsed items, or the whole-body 422's detail. */
function readJson(text: string): unknown {
  try {
    const { items, starts } = splitJsonBatch(text, limits);
    return items.map((item, i) => parseArrayElement(text, item, starts[i] ?? 0));
  } catch (error) {
    if (error instanceof ApiError) return error.body.detail;
    throw error;
  }
}

/** What a parser of the whole body says about it (the reference). */
function wholeBodyVerdict(text: string): { loc: (string | number)[]; error: string } | 'valid' {
  try {
    parseJson(text, { maxDepth: MAX_EVENT_DEPTH + 1 });
    return 'valid';
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { loc: ['body', error.position], error: error.reason };
    if (error instanceof JsonDepthError) return { loc: ['body', error.position], error: 'too deep' };
    throw error;
  }
}

const MALFORMED = [
  '[1,]',
  '[1,,2]',
  '[,1]',
  '[',
  '[1',
  '[1}',
  '[}',
  '[1] x',
  '["abc',
  '[{"a":1]',
  '[1 2]',
  '[{"a" 1}',
  '[{"a" "b',
  '[]]',
  '[1]]',
  '[{]}',
  '[01]',
  '[1,2',
  '[1,2,',
  '[[1,2]',
  '[[1,2],',
  '["a\\"b"',
  '["a\\\\"',
  '[tru]',
  '[{"a":[1,2}]',
  '["\u0001"]',
  '[1, ]',
  '[1,  ',
  '[1  ',
  '[{"a":1},{"b":}]',
  '[{"a":1}{"b":2}]',
  '[{"a":"]"}, x]',
  '["\\"]',
  '[{"a":1}, "unterminated]',
  '[[[[',
  '[{"a":[{"b":[}]}]',
  '[\n1,\n2\n,]',
  `[${'['.repeat(80)}${']'.repeat(80)}]`,
  `[1, ${'['.repeat(80)}${']'.repeat(80)}]`,
];

describe('JSON array bodies are split into elements with the answers of a parser of the whole body', () => {
  it.each(MALFORMED)('%j', (text) => {
    const reference = wholeBodyVerdict(text);
    expect(reference).not.toBe('valid');
    const [problem] = readJson(text) as { type: string; loc: unknown[]; ctx?: { error: string } }[];
    expect(problem?.type).toBe('json_invalid');
    if (reference === 'valid') return;
    expect(problem?.loc).toEqual(reference.loc);
    if (reference.error !== 'too deep') expect(problem?.ctx?.error).toBe(reference.error);
  });

  it.each(['[]', ' [ ] ', '[1]', '[{"a":"x,]}"}, [1,[2]], "\\\\", "\\"", null, true, 1.5e3]', '\n[\n{"a":1}\n,\n{"b":2}\n]\n'])(
    'valid %j: the same values as parsing the whole',
    (text) => {
      const whole = parseJson(text, { maxDepth: MAX_EVENT_DEPTH + 1 });
      expect(readJson(text)).toEqual(whole);
    },
  );

  it('refuses more elements than the limit before parsing any, counting them all', () => {
    expect(readJson('[1,2,3,4,5,6,7,8,9]')).toEqual([
      expect.objectContaining({ type: 'too_long', loc: ['body'], ctx: { field_type: 'List', max_length: 7, actual_length: 9 } }),
    ]);
  });

  it('a body that is not an array: list_type (echoed when small), missing when empty, json_invalid when malformed', () => {
    expect(readJson('{"a":1}')).toEqual([{ type: 'list_type', loc: ['body'], msg: 'Input should be a valid list', input: { a: expect.anything() } }]);
    expect(readJson('  ')).toEqual([expect.objectContaining({ type: 'missing', loc: ['body'] })]);
    expect(readJson('{"a":')).toEqual([expect.objectContaining({ type: 'json_invalid', loc: ['body', 5] })]);
    // Over the single-event limit it is not parsed at all.
    expect(readJson(`{"a":"${'x'.repeat(2000)}`)).toEqual([expect.objectContaining({ type: 'list_type', input: {} })]);
  });
});

describe('fuzz: mutated arrays get the same verdict as a parser of the whole body', () => {
  const base = '[{"user_id":"u1","payload":{"a":[1,2.5,"x]"],"b":{}}}, ["q\\"", null], 3, "s,t", {"k":true}]';
  const pieces = ['[', ']', '{', '}', ',', '"', '\\', ':', ' ', '1', 'x', '\n'];
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };

  it('2,000 random edits', () => {
    for (let round = 0; round < 2_000; round++) {
      let text = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const piece = pieces[random(pieces.length)] ?? '';
        text = random(2) === 0 ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      const reference = wholeBodyVerdict(text);
      const actual = readJson(text);
      if (reference === 'valid') {
        const whole = parseJson(text, { maxDepth: MAX_EVENT_DEPTH + 1 });
        if (Array.isArray(whole)) expect(actual, text).toEqual(whole);
        continue;
      }
      const [problem] = actual as { type: string; loc: unknown[]; ctx?: { error: string } }[];
      expect(problem?.loc, text).toEqual(reference.loc);
      expect(problem?.ctx?.error, text).toBe(reference.error);
    }
  });
});
