import { describe, expect, it } from 'vitest';
import { backoffMs } from '../src/index.ts';

describe('backoffMs', () => {
  const schedule = { initialBackoffMs: 100, maxBackoffMs: 1000 };

  it('doubles the ceiling with each attempt up to max_backoff_ms, and jitters below it', () => {
    const highest = [1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(schedule, attempt, undefined, () => 0.9999));
    expect(highest).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffMs(schedule, 3, undefined, () => 0)).toBe(0);
    expect(backoffMs(schedule, 3, undefined, () => 0.5)).toBe(200);
    expect(backoffMs(schedule, 200, undefined, () => 0.5)).toBe(500);
  });

  it('takes Retry-After instead, capped by max_backoff_ms', () => {
    expect(backoffMs(schedule, 1, 300, () => 0)).toBe(300);
    expect(backoffMs(schedule, 1, 7000, () => 0)).toBe(1000);
  });
});
