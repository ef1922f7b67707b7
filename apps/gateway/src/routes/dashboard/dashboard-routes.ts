import { type Context, Hono } from 'hono';
import type { Logger } from '@ddup/runtime';
import { notFound } from '../../errors.ts';
import { dashboardAssets } from './dashboard-assets.ts';
import type { DashboardFeed } from './dashboard-feed.ts';
import { dashboardMessage } from './dashboard-message.ts';
import { dashboardPage } from './dashboard-page.ts';
import type { DashboardSettings } from './dashboard-settings.ts';
import { type StreamLimits, StreamSlots, streamDashboard } from './dashboard-stream.ts';
import { dashboardSecurityHeaders } from './security-headers.ts';

export interface DashboardDependencies {
  /** Where the figures come from, one tick for all viewers (its owner closes it on shutdown). */
  readonly feed: DashboardFeed;
  readonly settings: DashboardSettings;
  /** Whether `/admin/*` is mounted: the page then offers the token field, the dead-letter list and Replay. */
  readonly adminEnabled: boolean;
  readonly logger: Logger;
  /** How many streams may be open, and for how long each (`DASHBOARD_MAX_STREAMS`, `DASHBOARD_STREAM_MAX_MS`). */
  readonly streamLimits: StreamLimits;
  /**
   * Whether this request may see the figures in the page itself (METRICS_TOKEN guards them as it
   * guards the stream); absent: every request may. Without, the page comes without them.
   */
  readonly showsFigures?: (c: Context) => boolean;
}

/**
 * The live dashboard (mounted at `/dashboard`): the page, its server-sent figures at `/stream`,
 * and its script, style and chart library at `/assets/<name>`. Public: it shows counts, names and
 * settings, never an event; dead letters are listed by the page's script from `/admin`, with the
 * token the operator types in.
 */
export function dashboardRoutes(deps: DashboardDependencies): Hono {
  const { feed } = deps;
  const assets = dashboardAssets();
  const slots = new StreamSlots(deps.streamLimits.maxStreams);
  return new Hono()
    .use(dashboardSecurityHeaders())
    .get('/', async (c) => {
      // The figures now, in the page: the stream's first message comes a moment later.
      const shown = deps.showsFigures?.(c) ?? true;
      const initial = shown ? dashboardMessage(await feed.current(), feed.history.since(undefined), deps.settings, deps.adminEnabled) : undefined;
      return c.html(dashboardPage(deps.settings, initial), 200, { 'cache-control': 'no-store' });
    })
    .get('/stream', (c) => streamDashboard(c, feed, slots, deps))
    .get('/assets/:name', (c) => {
      const asset = assets.get(c.req.param('name'));
      if (asset === undefined) throw notFound('No such dashboard asset');
      const headers = { 'content-type': asset.contentType, etag: asset.etag, 'cache-control': 'no-cache' };
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
      return c.body(asset.body, 200, headers);
    });
}
