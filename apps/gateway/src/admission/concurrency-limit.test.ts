import { describe, expect, it } from 'vitest';
import { limitConcurrency } from './concurrency-limit.ts';

describe('limitConcurrency', () => {
  it('runs at most `limit` calls at once, the rest in order, and passes results and errors through', async () => {
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const limited = limitConcurrency(2, async (n: number) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      order.push(n);
      if (n === 3) throw new Error('three');
      return n * 10;
    });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => limited(n)));
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([10, 20, 'three', 40, 50]);
  });
});
