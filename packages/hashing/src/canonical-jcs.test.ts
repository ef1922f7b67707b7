import { describe, expect, it } from 'vitest';
import { canonicalJcs } from './canonical-jcs.ts';
import { LoneSurrogateError, NonFiniteNumberError } from './errors.ts';
import { JsonNumber } from './json-number.ts';
import { parseJson } from './parse-json.ts';

function doubleFromHex(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonicalJcs (RFC 8785)', () => {
  it('section 3.2.2: the sample input', () => {
    const text = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJcs(parseJson(text))).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' + '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('section 3.2.3: properties sorted by UTF-16 code units', () => {
    const text = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    expect(canonicalJcs(parseJson(text))).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // Appendix B: IEEE 754 bit pattern → canonical number text.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('appendix B: %s → %s', (hex, expected) => {
    const x = doubleFromHex(hex);
    // 21 significant digits always round-trip, and spell the number differently from the output.
    const text = Object.is(x, -0) ? '-0.0' : x.toExponential(20);
    expect(Object.is(Number(text), x)).toBe(true);
    expect(canonicalJcs(new JsonNumber(text))).toBe(expected);
  });

  it.each([
    ['1e21', '1e+21'],
    ['1E-7', '1e-7'],
    ['1e-6', '0.000001'],
    ['9007199254740992', '9007199254740992'],
    ['4.35', '4.35'],
    ['2e-3', '0.002'],
    ['100.0', '100'],
    ['-0', '0'],
    ['18446744073709551616', '18446744073709552000'],
  ])('number text %s → %s', (text, expected) => {
    expect(canonicalJcs(parseJson(text))).toBe(expected);
  });

  it('handles null-prototype objects, including a "__proto__" key', () => {
    const value = parseJson('{"b": 1, "__proto__": {"x": [true]}, "a": {}}');
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(canonicalJcs(value)).toBe('{"__proto__":{"x":[true]},"a":{},"b":1}');
  });

  it('writes non-ASCII as UTF-8 text, not escapes', () => {
    expect(canonicalJcs(parseJson(String.raw`["\u00e9", "\u2028", "\u007f", "\ud83d\ude00"]`))).toBe('["\u00e9","\u2028","\u007f","\ud83d\ude00"]');
  });

  it('throws NonFiniteNumberError for a number that overflows a double', () => {
    expect(() => canonicalJcs(parseJson('{"a": [1, {"b": 1e400}]}'))).toThrow(NonFiniteNumberError);
    expect(() => canonicalJcs(parseJson('-1E400'))).toThrow(expect.objectContaining({ text: '-1E400' }));
  });

  it('throws LoneSurrogateError for unpaired surrogates in values and keys', () => {
    expect(() => canonicalJcs(parseJson(String.raw`{"a": "x\ud800"}`))).toThrow(LoneSurrogateError);
    expect(() => canonicalJcs(parseJson(String.raw`{"\udc00": 1}`))).toThrow(LoneSurrogateError);
  });
});
