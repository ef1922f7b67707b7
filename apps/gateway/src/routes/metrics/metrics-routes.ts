import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { singleFlight } from '../../metrics/single-flight.ts';
import { SNAPSHOT_REUSE_MS } from '../../metrics/store-snapshot.ts';

/**
 * `GET /metrics`: the Prometheus text exposition of `registry` (prom-client's own), rendered one
 * at a time however many scrapers ask (singleFlight): scrapes that come while a render runs, or
 * within SNAPSHOT_REUSE_MS (1 s) of its end, get its text. A render costs the gateway's one core
 * in proportion to the series (and reads the store, StoreSnapshots), so scrapers looping as fast
 * as they can cost one render a second, not one each.
 */
export function metricsRoutes(registry: Registry): Hono {
  const exposition = singleFlight(() => registry.metrics(), SNAPSHOT_REUSE_MS);
  return new Hono().get('/', async (c) => c.body(await exposition(), 200, { 'content-type': registry.contentType }));
}
