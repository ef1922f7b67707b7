import { describe, expect, it } from 'vitest';
import { RecentLatency } from './recent-latency.ts';

describe('RecentLatency', () => {
  it('is null before anything was observed', () => {
    expect(new RecentLatency().quantiles(0.5, 0.99)).toBeNull();
  });

  it('reads p50 and p99 within 1.25 % of the exact quantiles', () => {
    const latency = new RecentLatency(60_000, 6, () => 1_000_000);
    // 1..1000 ms: p50 is 500 ms, p99 990 ms.
    for (let ms = 1; ms <= 1000; ms++) latency.observe(ms / 1000);
    const [p50, p99] = latency.quantiles(0.5, 0.99) ?? [];
    expect(Math.abs((p50 ?? 0) / 0.5 - 1)).toBeLessThan(0.0125);
    expect(Math.abs((p99 ?? 0) / 0.99 - 1)).toBeLessThan(0.0125);
  });

  it('keeps values below 10 µs and above 100 s in its end buckets', () => {
    const latency = new RecentLatency(60_000, 6, () => 0);
    latency.observe(0);
    latency.observe(1e-9);
    expect(latency.quantiles(1)).toEqual([RecentLatency.MIN_SECONDS]);
    latency.observe(1e6);
    expect(latency.quantiles(1)?.[0]).toBeGreaterThan(100);
  });

  it('forgets what is older than its window, slice by slice', () => {
    let now = 0;
    const latency = new RecentLatency(60_000, 6, () => now);
    latency.observe(2);
    now = 30_000;
    latency.observe(0.002);
    latency.observe(0.002);
    // Both slices in the window: the slow request is the p99.
    expect(latency.quantiles(0.99)?.[0]).toBeGreaterThan(1.9);
    now = 61_000;
    // The first slice (0–10 s) has left the window; the slice of 30 s has not.
    expect(latency.quantiles(0.99)?.[0]).toBeLessThan(0.0021);
    now = 95_000;
    expect(latency.quantiles(0.5)).toBeNull();
  });
});
