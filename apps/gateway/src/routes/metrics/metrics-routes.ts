import { Hono } from 'hono';
import type { Registry } from 'prom-client';

/** `GET /metrics`: the Prometheus text exposition of `registry` (prom-client's own). */
export function metricsRoutes(registry: Registry): Hono {
  return new Hono().get('/', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
}
