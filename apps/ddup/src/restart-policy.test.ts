import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, RestartPolicy } from './restart-policy.ts';

const policy = (maxRestarts: number) => new RestartPolicy({ ...DEFAULT_RESTART_POLICY, maxRestarts });

describe('RestartPolicy', () => {
  it('backs off from 0.5 s, doubling to 10 s at most', () => {
    const restarts = policy(100);
    // Deaths a few minutes apart (no rate limit), each right after the start.
    const delays = Array.from({ length: 8 }, (_, i) => restarts.onDeath(i * 120_000, 100));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000].map((delayMs) => ({ restart: true, delayMs })));
  });

  it('starts from 0.5 s again after a child ran for 30 s', () => {
    const restarts = policy(100);
    expect(restarts.onDeath(0, 100)).toEqual({ restart: true, delayMs: 500 });
    expect(restarts.onDeath(120_000, 100)).toEqual({ restart: true, delayMs: 1_000 });
    expect(restarts.onDeath(240_000, 30_000)).toEqual({ restart: true, delayMs: 500 });
  });

  it('allows maxRestarts within a minute, then gives up', () => {
    const restarts = policy(5);
    for (let i = 0; i < 5; i++) expect(restarts.onDeath(i * 1_000, 100).restart).toBe(true);
    expect(restarts.onDeath(5_000, 100)).toEqual({ restart: false, restarts: 5 });
  });

  it('counts only the restarts of the last minute', () => {
    const restarts = policy(2);
    expect(restarts.onDeath(0, 100).restart).toBe(true);
    expect(restarts.onDeath(1_000, 100).restart).toBe(true);
    expect(restarts.onDeath(60_500, 100).restart).toBe(true); // the first one is out of the window
  });

  it('with 0 allowed, gives up at the first death', () => {
    expect(policy(0).onDeath(0, 100)).toEqual({ restart: false, restarts: 0 });
  });
});
