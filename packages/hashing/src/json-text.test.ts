import { describe, expect, it } from 'vitest';
import { jsonText } from './json-text.ts';
import { parseJson } from './parse-json.ts';

describe('jsonText', () => {
  it('writes numbers exactly as they were parsed, where JSON.stringify would round them', () => {
    const text = '{"a":100.0,"b":18446744073709551617,"c":1e400,"d":-0,"e":1E2,"f":[0.1,-5e-324,123456789012345678901234567890]}';
    const parsed = parseJson(text);
    expect(jsonText(parsed)).toBe(text);
    expect(JSON.stringify(parsed)).not.toBe(text);
  });

  it('is JSON.stringify for everything else: key order, escapes, nesting, lone surrogates', () => {
    const text = '{"z":"caf\\u00e9 \\"q\\" \\\\ \\n \\u0001 \\ud800","a":[true,false,null,{},[]],"__proto__":{"k":"v"},"":""}';
    const parsed = parseJson(text);
    const written = jsonText(parsed);
    expect(written).toBe(JSON.stringify(JSON.parse(text)));
    expect(parseJson(written)).toEqual(parsed);
  });
});
