/**
 * A double printed as Python's `repr(float)`: the shortest digits that round-trip (the same digits
 * JS picks), in fixed notation when the value is 0.d1d2... × 10^p with -3 <= p <= 16, otherwise in
 * scientific notation with a signed exponent of at least two digits (`1e-05`, `1e+16`, `1.5e+300`).
 */
export function formatPythonFloat(x: number): string {
  const abs = Math.abs(x);
  // Exactly the doubles with -3 <= p <= 16; JS writes them in fixed notation too, minus the `.0`.
  if (abs >= 1e-4 && abs < 1e16) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (Number.isNaN(x)) return 'NaN';
  // Without an argument toExponential() keeps the shortest round-trip digits: "-1.25e-7".
  const s = x.toExponential();
  const e = s.indexOf('e');
  const exponent = s.slice(e + 2);
  return `${s.slice(0, e + 2)}${exponent.length === 1 ? '0' : ''}${exponent}`;
}
