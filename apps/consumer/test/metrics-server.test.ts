import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@ddup/runtime';
import { ConsumerMetrics } from '../src/metrics/consumer-metrics.ts';
import { type MetricsServer, metricsUrlOf, startMetricsServer } from '../src/metrics/metrics-server.ts';

const logger = createLogger('test', 'error');
const servers: MetricsServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(metrics: ConsumerMetrics, port = 0): Promise<MetricsServer> {
  const server = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port }, logger);
  servers.push(server);
  return server;
}

describe('startMetricsServer', () => {
  it("answers GET /metrics with the registry in Prometheus's text format, each shard's counters from 0", async () => {
    const metrics = new ConsumerMetrics({ shards: 2 });
    metrics.countConfirmed(1, 7);
    const server = await serve(metrics);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
    const text = await response.text();
    expect(text).toContain('# TYPE ddup_confirmed_total counter');
    expect(text).toContain('ddup_confirmed_total{shard="0"} 0');
    expect(text).toContain('ddup_confirmed_total{shard="1"} 7');
    expect(text).toContain('ddup_dead_lettered_total{shard="1"} 0');
    expect(text).toContain('# TYPE ddup_read_duration_seconds histogram');
    expect(text).toContain('ddup_confirm_duration_seconds_count 0');
  });

  it('answers any other path or method with a JSON 404', async () => {
    const server = await serve(new ConsumerMetrics({ shards: 1 }));
    const base = new URL(server.url);
    for (const [path, method] of [
      ['/', 'GET'],
      ['/metrics/extra', 'GET'],
      ['/healthz', 'GET'],
      ['/metrics', 'POST'],
    ] as const) {
      const response = await fetch(new URL(path, base), { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ detail: 'Not Found', code: 'not_found' });
    }
  });

  it('keeps each registry to itself: two pools in one process, each with process metrics, count apart', async () => {
    const first = new ConsumerMetrics({ shards: 1, processMetrics: true });
    const second = new ConsumerMetrics({ shards: 1, processMetrics: true });
    first.countDeadLettered(0, 2);
    const [a, b] = await Promise.all([serve(first), serve(second)]);
    const [textA, textB] = await Promise.all([a, b].map(async (server) => (await fetch(server.url)).text()));
    expect(textA).toContain('ddup_dead_lettered_total{shard="0"} 2');
    expect(textB).toContain('ddup_dead_lettered_total{shard="0"} 0');
    expect(textA).toContain('process_cpu_user_seconds_total');
    expect(textB).toContain('nodejs_heap_size_used_bytes');
  });

  it('rejects when its port is taken, and close() can be called twice', async () => {
    const taken = await serve(new ConsumerMetrics({ shards: 1 }));
    const port = Number(new URL(taken.url).port);
    await expect(startMetricsServer(new ConsumerMetrics({ shards: 1 }).registry, { host: '127.0.0.1', port }, logger)).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    await fetch(taken.url).then((response) => response.text());
    const closing = taken.close();
    expect(taken.close()).toBe(closing);
    await closing;
    await expect(fetch(taken.url)).rejects.toThrow();
  });
});

describe('metricsUrlOf', () => {
  it('reaches a wildcard address on loopback and brackets IPv6', () => {
    expect(metricsUrlOf('0.0.0.0', 9464)).toBe('http://127.0.0.1:9464/metrics');
    expect(metricsUrlOf('::', 9464)).toBe('http://127.0.0.1:9464/metrics');
    expect(metricsUrlOf('::1', 8001)).toBe('http://[::1]:8001/metrics');
    expect(metricsUrlOf('127.0.0.1', 8001)).toBe('http://127.0.0.1:8001/metrics');
  });
});
