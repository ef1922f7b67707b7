import type { GatewayMetrics, LiveFigures } from '../../metrics/gateway-metrics.ts';
import type { StoreSnapshot, StoreSnapshots } from '../../metrics/store-snapshot.ts';
import { HISTORY_MS, RateHistory } from './rate-history.ts';

/** How often the dashboard's figures are read and sent to its viewers. */
export const DASHBOARD_TICK_MS = 1_500;

/** What the dashboard reads its figures from. */
export interface DashboardSources {
  readonly metrics: Pick<GatewayMetrics, 'liveFigures'>;
  /** The store's state; absent (an app without Redis, like the bench's in-memory one): counters only. */
  readonly snapshots?: Pick<StoreSnapshots, 'latest'> | undefined;
}

/** The figures at one moment: the gateway's own counters, and the store's state or why it could not be read. */
export interface DashboardState {
  readonly atMs: number;
  readonly figures: LiveFigures;
  readonly store: StoreSnapshot | undefined;
  /** Set when the store was asked and did not answer (Redis away): the page says so and keeps going. */
  readonly storeError: string | undefined;
}

export interface DashboardFeedSettings {
  readonly tickMs?: number;
  readonly historyMs?: number;
}

/** An error's message fit for a public page: one line, bounded, any credentials in a URL masked. */
function publicReason(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return (message.split('\n')[0] ?? '').replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, 200) || 'no answer';
}

/**
 * One clock for every viewer: each tick samples the counters into the rate history (always, so a
 * new viewer sees the last minutes at once), reads the store (only while someone watches; one
 * read however many do), and tells the viewers. A viewer that is slow to take its messages only
 * falls behind itself: the feed never waits for one.
 */
export class DashboardFeed {
  readonly history: RateHistory;
  readonly #listeners = new Set<() => void>();
  readonly #tickMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #latest: DashboardState | undefined;
  #ticking = false;
  #closed = false;

  constructor(
    private readonly sources: DashboardSources,
    settings: DashboardFeedSettings = {},
  ) {
    this.#tickMs = settings.tickMs ?? DASHBOARD_TICK_MS;
    this.history = new RateHistory(settings.historyMs ?? HISTORY_MS);
  }

  /** Starts the clock; it never keeps the process alive. Idempotent. */
  start(): this {
    if (this.#timer === undefined) {
      // The counters are in-process: a failed tick is only a gap in the chart.
      const tick = () => void this.tick().catch(() => undefined);
      this.#timer = setInterval(tick, this.#tickMs);
      this.#timer.unref();
      tick();
    }
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Stops the clock and ends every viewer's stream (and any opened later): for a shutdown, so an
   * open dashboard does not hold the server's graceful close until its timeout. Idempotent.
   */
  close(): void {
    this.stop();
    this.#closed = true;
    for (const listener of this.#listeners) listener();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Viewers connected now. */
  get viewers(): number {
    return this.#listeners.size;
  }

  /** Calls `listener` after each tick until the returned function is called. */
  subscribe(listener: () => void): () => void {
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** The state of the last tick, if it had viewers to read the store for. */
  latest(): DashboardState | undefined {
    return this.#latest;
  }

  /** The state now, read afresh (the store snapshot is shared for a moment: see StoreSnapshots). */
  async current(): Promise<DashboardState> {
    const atMs = Date.now();
    const [figures, store] = await Promise.all([this.sources.metrics.liveFigures(), this.#readStore()]);
    return { atMs, figures, ...store };
  }

  /** One tick (the timer calls it; a tick still running makes the next one a no-op). */
  async tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      if (this.#listeners.size === 0) {
        this.#latest = undefined;
        this.history.record(Date.now(), await this.sources.metrics.liveFigures());
        return;
      }
      const state = await this.current();
      this.history.record(state.atMs, state.figures);
      this.#latest = state;
      for (const listener of this.#listeners) listener();
    } finally {
      this.#ticking = false;
    }
  }

  async #readStore(): Promise<Pick<DashboardState, 'store' | 'storeError'>> {
    if (this.sources.snapshots === undefined) return { store: undefined, storeError: undefined };
    try {
      return { store: await this.sources.snapshots.latest(), storeError: undefined };
    } catch (error) {
      return { store: undefined, storeError: publicReason(error) };
    }
  }
}
