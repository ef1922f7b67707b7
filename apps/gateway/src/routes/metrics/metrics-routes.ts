import { Hono } from 'hono';
import type { MetricsView } from '../../metrics/metrics-view.ts';
import { singleFlight } from '../../metrics/single-flight.ts';
import { SNAPSHOT_REUSE_MS } from '../../metrics/store-snapshot.ts';

/**
 * `GET /metrics`: the Prometheus text exposition (prom-client's), of every gateway process
 * together (MetricsView), rendered one at a time however many scrapers ask (singleFlight):
 * scrapes that come while a render runs, or within SNAPSHOT_REUSE_MS (1 s) of its end, get its
 * text. A render costs the gateway's one core in proportion to the series (and reads the store,
 * StoreSnapshots), so scrapers looping as fast as they can cost one render a second, not one each.
 */
export function metricsRoutes(view: Pick<MetricsView, 'text' | 'contentType'>): Hono {
  const exposition = singleFlight(() => view.text(), SNAPSHOT_REUSE_MS);
  return new Hono().get('/', async (c) => c.body(await exposition(), 200, { 'content-type': view.contentType }));
}
