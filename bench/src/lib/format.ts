/** Numbers as the tables print them. */
export const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 || Number.isInteger(value) ? int(value) : value.toFixed(1);
}

export function ratio(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 10 ? `${value.toFixed(0)}×` : `${value.toFixed(2)}×`;
}

/** ✓ all passed; ✗ an honesty check failed; ⚠ only a sanity check failed (see Check). */
export function checksMark(checks: readonly { readonly ok: boolean; readonly honesty: boolean }[]): string {
  if (checks.some((check) => !check.ok && check.honesty)) return '✗';
  return checks.every((check) => check.ok) ? '✓' : '⚠';
}

export function statuses(counts: Readonly<Record<string, number>>): string {
  return (
    Object.entries(counts)
      .map(([code, n]) => `${code}×${int(n)}`)
      .join(', ') || 'none'
  );
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
