import { describe, expect, it } from 'vitest';
import { JsonDepthError, JsonSyntaxError } from './errors.ts';
import { JsonNumber } from './json-number.ts';
import { isJsonObject, type JsonValue } from './json-value.ts';
import { parseJson } from './parse-json.ts';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed ${JSON.stringify(text)}`);
}

function objectOf(value: JsonValue): Record<string, JsonValue> {
  if (!isJsonObject(value)) throw new Error('not an object');
  return value;
}

describe('parseJson', () => {
  it('parses every kind of value', () => {
    const value = objectOf(parseJson(' {"s": "x", "n": -1.5e3, "t": true, "f": false, "z": null, "a": [1, [], {}]} '));
    expect(value['s']).toBe('x');
    expect(value['n']).toEqual(new JsonNumber('-1.5e3'));
    expect([value['t'], value['f'], value['z']]).toEqual([true, false, null]);
    expect(value['a']).toEqual([new JsonNumber('1'), [], Object.create(null)]);
  });

  it('keeps number text exactly as written', () => {
    const texts = ['100.0', '100', '1E16', '-0', '-0.0', '9007199254740993', '1e400', '0.10', '5e-324'];
    const parsed = parseJson(`[${texts.join(',')}]`);
    expect(parsed).toEqual(texts.map((t) => new JsonNumber(t)));
    expect(JSON.stringify(new JsonNumber('1.50'))).toBe('1.5');
  });

  it('decodes every escape, and slices strings without escapes', () => {
    expect(parseJson(String.raw`"\"\\\/\b\f\n\r\t\u00e9\u00C9\ud83d\ude00"`)).toBe('"\\/\b\f\n\r\t\u00e9\u00c9\u{1f600}');
    expect(parseJson('"plain text é 😀"')).toBe('plain text é 😀');
    expect(parseJson(String.raw`"a\nb" `)).toBe('a\nb');
  });

  it('allows lone surrogate escapes, as Python does', () => {
    expect(parseJson(String.raw`["\ud800", "\udc00x", "\ud800\u0041"]`)).toEqual(['\ud800', '\udc00x', '\ud800A']);
  });

  it('lets the last duplicate key win', () => {
    expect(objectOf(parseJson('{"a": 1, "b": 2, "a": {"c": 3}}'))['a']).toEqual(parseJson('{"c": 3}'));
  });

  it('treats "__proto__" as an own key without touching any prototype', () => {
    const value = objectOf(parseJson('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'));
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(objectOf(value['__proto__'] ?? null)['polluted']).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('accepts only space, tab, newline and carriage return as whitespace', () => {
    expect(parseJson(' \t\n\r[ \t\n\r1 \t\n\r] \t\n\r')).toEqual([new JsonNumber('1')]);
    expect(syntaxError('\u00a0[]').reason).toBe('Expecting value');
    expect(syntaxError('[]\u000b').reason).toBe('Extra data');
  });

  it.each([
    ['trailing comma in array', '[1, 2,]', 'Expecting value', 6],
    ['trailing comma in object', '{"a": 1,}', 'Expecting property name enclosed in double quotes', 8],
    ['single quotes', "['a']", 'Expecting value', 1],
    ['leading zero', '01', 'Extra data', 1],
    ['dot without fraction', '1.', 'Extra data', 1],
    ['dot without integer', '.5', 'Expecting value', 0],
    ['plus sign', '+1', 'Expecting value', 0],
    ['NaN (Python accepts it)', 'NaN', 'Expecting value', 0],
    ['Infinity (Python accepts it)', '[Infinity]', 'Expecting value', 1],
    ['-Infinity (Python accepts it)', '{"a": -Infinity}', 'Expecting value', 6],
    ['raw control character in string', '{"a": "x\u0001"}', 'Invalid control character at', 8],
    ['unterminated string', '["abc', 'Unterminated string starting at', 1],
    ['unterminated escaped string', '["a\\"bc', 'Unterminated string starting at', 1],
    ['extra data', '{} []', 'Extra data', 3],
    ['empty input', '', 'Expecting value', 0],
  ])('rejects %s', (_name, text, reason, position) => {
    const error = syntaxError(text);
    expect(error.reason).toBe(reason);
    expect(error.position).toBe(position);
    expect(error.message).toBe(`${reason}: line 1 column ${position + 1} (char ${position})`);
  });

  it('reports line and column like Python', () => {
    const error = syntaxError('{\n  "a": 1,\n  "b" 2\n}');
    expect(error).toMatchObject({ reason: "Expecting ':' delimiter", position: 18, line: 3, column: 7 });
    expect(error.message).toBe("Expecting ':' delimiter: line 3 column 7 (char 18)");
  });

  it('fails fast on deep nesting instead of overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const started = performance.now();
    expect(() => parseJson(deep)).toThrow(JsonDepthError);
    expect(() => parseJson('{"a":'.repeat(100_000))).toThrow(JsonDepthError);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('enforces maxDepth exactly', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => parseJson(nest(128))).not.toThrow();
    expect(() => parseJson(nest(129))).toThrow(JsonDepthError);
    expect(() => parseJson('{"a": {"b": [1]}}', { maxDepth: 3 })).not.toThrow();
    expect(() => parseJson('{"a": {"b": [1]}}', { maxDepth: 2 })).toThrow(expect.objectContaining({ maxDepth: 2, position: 12 }));
  });
});

describe('isJsonObject', () => {
  it('accepts objects only', () => {
    expect(isJsonObject(parseJson('{}'))).toBe(true);
    expect(isJsonObject({ a: 1 })).toBe(true);
    for (const v of [null, [], 'x', 1, true, new JsonNumber('1'), undefined]) expect(isJsonObject(v)).toBe(false);
  });
});
