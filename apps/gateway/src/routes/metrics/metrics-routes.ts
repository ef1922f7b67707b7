import { Hono } from 'hono';
import type { MetricsView } from '../../metrics/metrics-view.ts';

/** `GET /metrics`: the Prometheus text exposition (prom-client's), of every gateway process together. */
export function metricsRoutes(view: Pick<MetricsView, 'text' | 'contentType'>): Hono {
  return new Hono().get('/', async (c) => c.body(await view.text(), 200, { 'content-type': view.contentType }));
}
