import { describe, expect, it } from 'vitest';
import { canonicalPython } from './canonical-python.ts';
import { compareCodePoints } from './compare-code-points.ts';
import { JsonNumber } from './json-number.ts';
import { parseJson } from './parse-json.ts';
import { formatPythonFloat } from './python-float.ts';

// The full behaviour is pinned by the Python golden vectors; these name the individual rules.
describe('canonicalPython', () => {
  it('uses Python separators and sorted keys', () => {
    expect(canonicalPython(parseJson('{"b":[true,null],"a":1,"c":{}, "d": []}'))).toBe('{"a": 1, "b": [true, null], "c": {}, "d": []}');
  });

  it('prints integers of any size exactly, and -0 as 0', () => {
    expect(canonicalPython(parseJson('[18446744073709551616, -9007199254740993, -0, 0]'))).toBe('[18446744073709551616, -9007199254740993, 0, 0]');
  });

  it.each([
    ['100.0', '100.0'],
    ['1e-7', '1e-07'],
    ['1E16', '1e+16'],
    ['1e15', '1000000000000000.0'],
    ['0.0001', '0.0001'],
    ['0.00001', '1e-05'],
    ['123456789.123456789', '123456789.12345679'],
    ['1.5e300', '1.5e+300'],
    ['5e-324', '5e-324'],
    ['1e400', 'Infinity'],
    ['-1e400', '-Infinity'],
    ['-0.0', '-0.0'],
    ['1e-400', '0.0'],
  ])('prints the float %s as %s', (text, expected) => {
    expect(canonicalPython(new JsonNumber(text))).toBe(expected);
  });

  it('escapes like ensure_ascii=True, with lowercase hex', () => {
    const text = String.raw`"q\" b\\ s/ \b\f\n\r\t \u0000 \u001f \u007f \u0080 \u00E9 \u2028 \uFFFF \ud83d\ude00 \ud800"`;
    expect(canonicalPython(parseJson(text))).toBe(String.raw`"q\" b\\ s/ \b\f\n\r\t \u0000 \u001f \u007f \u0080 \u00e9 \u2028 \uffff \ud83d\ude00 \ud800"`);
  });

  it('handles a "__proto__" key like any other', () => {
    expect(canonicalPython(parseJson('{"z": 0, "__proto__": {"a": null}}'))).toBe('{"__proto__": {"a": null}, "z": 0}');
  });
});

describe('compareCodePoints', () => {
  const sorted = (keys: string[]) => [...keys].sort(compareCodePoints);

  it('orders astral characters after U+E000..U+FFFF, unlike the default sort', () => {
    expect(sorted(['\u{1f600}', '\uffff', '\ue000', 'a'])).toEqual(['a', '\ue000', '\uffff', '\u{1f600}']);
    expect(['\u{1f600}', '\uffff'].sort()).toEqual(['\u{1f600}', '\uffff']);
  });

  it('orders by code point, not locale: "B" < "_" < "a"', () => {
    expect(sorted(['a', '_', 'B', '', 'ab'])).toEqual(['', 'B', '_', 'a', 'ab']);
  });

  it('counts an unpaired surrogate as its own code point', () => {
    expect(sorted(['\u{1f600}', '\ud83d\uffff', '\ud83d', '\ue000', '\udc00'])).toEqual(['\ud83d', '\ud83d\uffff', '\udc00', '\ue000', '\u{1f600}']);
  });
});

describe('formatPythonFloat', () => {
  it.each([
    [0, '0.0'],
    [-0, '-0.0'],
    [1e16, '1e+16'],
    [9999999999999998, '9999999999999998.0'],
    [1e-4, '0.0001'],
    [9.999999999999999e-5, '9.999999999999999e-05'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [-2.5e-5, '-2.5e-05'],
    [Number.NaN, 'NaN'],
  ])('%s → %s', (x, expected) => {
    expect(formatPythonFloat(x)).toBe(expected);
  });
});
