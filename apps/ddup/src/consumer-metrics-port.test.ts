import { describe, expect, it } from 'vitest';
import { ConfigError } from '@ddup/config';
import { childEnvironment, consumerMetricsUrl, parseSettings } from './settings.ts';

/** The consumer child's metrics URL under `pnpm start` with this environment (embedded Redis). */
function metricsUrlWith(env: Record<string, string>): string | undefined {
  const config = parseSettings(env);
  return consumerMetricsUrl(childEnvironment(env, config, 'redis://:secret@127.0.0.1:7000'));
}

describe("the launcher's CONSUMER_METRICS_PORT", () => {
  it('is PORT + 1 when unset (or empty), on this machine only', () => {
    expect(metricsUrlWith({ PORT: '8100' })).toBe('http://127.0.0.1:8101/metrics');
    expect(metricsUrlWith({ PORT: '8100', CONSUMER_METRICS_PORT: '' })).toBe('http://127.0.0.1:8101/metrics');
    expect(metricsUrlWith({})).toBe('http://127.0.0.1:8001/metrics');
  });

  it("is the user's when set; 0 turns the endpoint off", () => {
    expect(metricsUrlWith({ PORT: '8100', CONSUMER_METRICS_PORT: '9464' })).toBe('http://127.0.0.1:9464/metrics');
    expect(metricsUrlWith({ CONSUMER_METRICS_PORT: '9464', CONSUMER_METRICS_HOST: '0.0.0.0' })).toBe('http://127.0.0.1:9464/metrics');
    expect(metricsUrlWith({ CONSUMER_METRICS_PORT: '0' })).toBeUndefined();
    expect(metricsUrlWith({ PORT: '65535' })).toBeUndefined();
  });

  it("is checked by the consumer's schema before anything starts, and named once", () => {
    for (const value of ['x', '70000', '-1']) {
      let problems: readonly string[] = [];
      try {
        parseSettings({ CONSUMER_METRICS_PORT: value });
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(
        problems.filter((problem) => problem.startsWith('CONSUMER_METRICS_PORT:')),
        value,
      ).toHaveLength(1);
    }
  });
});
