import { describe, expect, it } from 'vitest';
import type { LiveFigures } from '../../metrics/gateway-metrics.ts';
import { RateHistory } from './rate-history.ts';

function figures(accepted: number, duplicate: number, invalid = 0): LiveFigures {
  return { events: { accepted, duplicate, invalid, unavailable: 0, rejected: 0 }, latency: { p50: 0.001, p99: 0.004 }, rejectedByTenant: {} };
}

describe('RateHistory', () => {
  it('turns successive totals into per-second rates and the duplicate ratio of each interval', () => {
    const history = new RateHistory();
    expect(history.record(10_000, figures(100, 0))).toBeUndefined();
    const point = history.record(12_000, figures(140, 10, 4));
    expect(point).toEqual({
      atMs: 12_000,
      perSecond: { accepted: 20, duplicate: 5, invalid: 2, unavailable: 0, rejected: 0 },
      duplicateRatio: 10 / 50,
      latency: { p50: 0.001, p99: 0.004 },
    });
    // Nothing decided in the interval: no ratio, rather than a made-up 0.
    expect(history.record(13_000, figures(140, 10, 9))?.duplicateRatio).toBeNull();
  });

  it('keeps only the last keepMs, and hands out the points after a given time', () => {
    const history = new RateHistory(5_000);
    for (let second = 0; second <= 10; second++) history.record(second * 1000, figures(second * 3, 0));
    const points = history.since();
    expect(points.map((point) => point.atMs)).toEqual([5_000, 6_000, 7_000, 8_000, 9_000, 10_000]);
    expect(points.every((point) => point.perSecond.accepted === 3)).toBe(true);
    expect(history.since(8_000).map((point) => point.atMs)).toEqual([9_000, 10_000]);
  });

  it('ignores a sample that is not later than the previous one', () => {
    const history = new RateHistory();
    history.record(1_000, figures(1, 0));
    expect(history.record(1_000, figures(5, 0))).toBeUndefined();
    expect(history.record(2_000, figures(5, 0))?.perSecond.accepted).toBe(4);
  });
});
