import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Logger } from '@ddup/runtime';
import type { DashboardFeed } from './dashboard-feed.ts';
import { dashboardMessage } from './dashboard-message.ts';
import type { DashboardSettings } from './dashboard-settings.ts';

/** What the browser waits before reconnecting a dropped stream (the SSE `retry` field). */
const RECONNECT_MS = 2_000;

export interface DashboardStreamSettings {
  readonly settings: DashboardSettings;
  readonly adminEnabled: boolean;
  readonly logger: Logger;
}

/**
 * `GET /dashboard/stream`: a `figures` message at once (with the whole rate history), then one per
 * tick of the feed, each with the rate points this viewer has not had. A viewer still taking its
 * previous message when a tick comes gets the newest state when it is ready (ticks in between are
 * folded into it, their rate points included), so a slow client costs nothing but its own lag.
 * The subscription ends when the client goes; the stream ends when the feed is closed (shutdown).
 */
export function streamDashboard(c: Context, feed: DashboardFeed, { settings, adminEnabled, logger }: DashboardStreamSettings): Response {
  const response = streamSSE(
    c,
    async (stream) => {
      let ticked = false;
      let wake: (() => void) | undefined;
      const unsubscribe = feed.subscribe(() => {
        ticked = true;
        wake?.();
      });
      stream.onAbort(() => wake?.());
      try {
        let state = await feed.current();
        let sentUpTo: number | undefined;
        let retry: number | undefined = RECONNECT_MS;
        while (!stream.aborted && !feed.closed) {
          const points = feed.history.since(sentUpTo);
          await stream.writeSSE({ event: 'figures', data: JSON.stringify(dashboardMessage(state, points, settings, adminEnabled)), retry });
          retry = undefined;
          sentUpTo = points.at(-1)?.atMs ?? sentUpTo;
          if (!ticked && !stream.aborted && !feed.closed) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          ticked = false;
          if (feed.closed) break;
          state = feed.latest() ?? (await feed.current());
        }
      } finally {
        unsubscribe();
      }
    },
    async (error) => logger.warn('dashboard stream failed', { error: error.message }),
  );
  // Not kept alive (streamSSE says keep-alive): once the stream ends, on a shutdown above all, the
  // connection goes with it instead of idling until the keep-alive timeout. A browser reconnects
  // on a new connection anyway.
  response.headers.set('connection', 'close');
  return response;
}
