import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { CommandTimeoutError, type Logger, withTimeout } from '@ddup/runtime';
import { tooManyStreams } from '../../errors.ts';
import type { DashboardFeed } from './dashboard-feed.ts';
import { dashboardMessage } from './dashboard-message.ts';
import type { DashboardSettings } from './dashboard-settings.ts';

/** What the browser waits before reconnecting a dropped stream (the SSE `retry` field). */
const RECONNECT_MS = 2_000;

/** A viewer that has not taken a message for this long is not reading: its stream is cut. */
export const STALLED_WRITE_MS = 30_000;

export interface StreamLimits {
  /** Streams open at once; past it, 503 `too_many_streams`. */
  readonly maxStreams: number;
  /** Each stream ends after this long (the browser reconnects by itself). */
  readonly maxStreamMs: number;
  /** A viewer that takes no message for this long is cut; default STALLED_WRITE_MS. */
  readonly stalledWriteMs?: number;
}

export interface DashboardStreamSettings {
  readonly settings: DashboardSettings;
  readonly adminEnabled: boolean;
  readonly logger: Logger;
  readonly streamLimits: StreamLimits;
}

/**
 * Counts the open streams, taken before a stream starts and given back when it ends, so a flood
 * of stream requests cannot hold more than `max` connections (and their descriptors) open: the
 * rest are answered 503 at once and closed.
 */
export class StreamSlots {
  #open = 0;

  constructor(readonly max: number) {}

  get open(): number {
    return this.#open;
  }

  /** Takes a slot, or throws 503 `too_many_streams` when none is free. */
  take(): () => void {
    if (this.#open >= this.max) throw tooManyStreams(this.max);
    this.#open++;
    let given = false;
    return () => {
      if (!given) this.#open--;
      given = true;
    };
  }
}

/**
 * `GET /dashboard/stream`: a `figures` message at once (with the whole rate history), then one per
 * tick of the feed, each with the rate points this viewer has not had. A viewer still taking its
 * previous message when a tick comes gets the newest state when it is ready (ticks in between are
 * folded into it, their rate points included), so a slow client costs nothing but its own lag.
 * The subscription ends when the client goes; the stream ends when the feed is closed (shutdown).
 */
export function streamDashboard(
  c: Context,
  feed: DashboardFeed,
  slots: StreamSlots,
  { settings, adminEnabled, logger, streamLimits }: DashboardStreamSettings,
): Response {
  const giveBack = slots.take();
  const response = streamSSE(
    c,
    async (stream) => {
      let ticked = false;
      let ended = false;
      let wake: (() => void) | undefined;
      const end = () => {
        ended = true;
        wake?.();
      };
      const unsubscribe = feed.subscribe(() => {
        ticked = true;
        wake?.();
      });
      stream.onAbort(end);
      // Past its time the stream ends (the page reconnects), so no viewer holds a slot for good.
      const lifetime = setTimeout(end, streamLimits.maxStreamMs);
      try {
        let state = await feed.current();
        let sentUpTo: number | undefined;
        let retry: number | undefined = RECONNECT_MS;
        while (!stream.aborted && !feed.closed && !ended) {
          const points = feed.history.since(sentUpTo);
          const written = stream.writeSSE({ event: 'figures', data: JSON.stringify(dashboardMessage(state, points, settings, adminEnabled)), retry });
          // A viewer that takes no message for a while is not reading: cut it.
          if (!(await settlesWithin(written, streamLimits.stalledWriteMs ?? STALLED_WRITE_MS))) break;
          retry = undefined;
          sentUpTo = points.at(-1)?.atMs ?? sentUpTo;
          if (!ticked && !stream.aborted && !feed.closed && !ended) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          ticked = false;
          if (feed.closed) break;
          state = feed.latest() ?? (await feed.current());
        }
      } finally {
        clearTimeout(lifetime);
        unsubscribe();
        giveBack();
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

/** Whether `write` settled within `ms` (a rejected write counts as settled: the loop sees the abort). */
function settlesWithin(write: Promise<unknown>, ms: number): Promise<boolean> {
  return withTimeout(write, ms, 'dashboard write').then(
    () => true,
    (error: unknown) => !(error instanceof CommandTimeoutError),
  );
}
