import { type DeliveryPolicy, type FinalOutcome, type Sink, type SinkConfig, type SinkEvent, deliverWithRetries, sinkTakes } from '@ddup/sinks';
import { type EventEntry, type SinkStreams, entryTimeMs, isMissingGroupError } from '@ddup/store';
import { type Logger, type RedisCommands, type RedisConnection, rateLimitedWarning, withCommandTimeout } from '@ddup/runtime';
import { backoff } from '../backoff.ts';
import { GroupReader } from '../group-reader.ts';
import type { SinkMetrics } from './sink-metrics.ts';

/** How often a worker trims what its sink has acknowledged of its replay streams. */
const REPLAY_TRIM_INTERVAL_MS = 60_000;

export interface SinkWorkerOptions {
  readonly config: SinkConfig;
  readonly sink: Sink;
  /** The sink's retries and breaker (one per sink: it holds the breaker). */
  readonly policy: DeliveryPolicy;
  readonly streams: SinkStreams;
  /** A connection of this worker's own: a blocking group read holds it while waiting. */
  readonly redis: RedisConnection;
  /** Its name in the sink's group (the process's consumer name and pid). */
  readonly consumer: string;
  readonly blockMs: number;
  readonly idlePollMs: number;
  readonly commandTimeoutMs: number;
  /** A pending entry idle this long is taken over from its consumer (presumed dead), and how often to look. */
  readonly claimIdleMs: number;
  readonly claimIntervalMs: number;
  /** Names the sink on every line: the supervisor gives `logger.child({ sink: id })`. */
  readonly logger: Logger;
  readonly metrics?: SinkMetrics;
}

/** An entry read for the sink, with the stream it came from. */
interface ReadEntry {
  readonly stream: string;
  readonly entry: EventEntry;
}

/**
 * One sink's reader in this process: a member of the group `ddup-sink:<id>` on every shard's
 * events stream and the sink's replay streams. It reads a batch, acknowledges at once what is not
 * for the sink (another tenant's events, entries trimmed while pending), delivers the rest through
 * the retry runner, and acknowledges an entry only once the sink has it or it went to the sink's
 * dead letters. What is left unsettled (the worker stopped, the sink disabled, Redis away) stays
 * pending: this worker re-reads it when it starts again, another process's worker takes it over
 * once idle for `claimIdleMs`, and the sink drops what it already has by hash.
 *
 * While the sink's breaker is open the runner waits, so the worker reads nothing more: a dead
 * sink's entries wait in the stream, within SINK_MAX_BACKLOG_SECONDS. A 410 disables the sink
 * (logged, ddup_sink_breaker_state 3) until SINKS_FILE changes it or the consumer restarts.
 */
export class SinkWorker {
  readonly #options: SinkWorkerOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  readonly #reader: GroupReader;
  #disabled: string | undefined;
  #lastReclaim = 0;
  #lastTrim = 0;

  constructor(options: SinkWorkerOptions) {
    this.#options = options;
    // On a cluster each shard is read on its own: its events and replay streams share a slot, so one read covers both.
    this.#reader = new GroupReader({
      group: options.streams.group,
      consumer: options.consumer,
      readsAcrossShards: options.redis.readsAcrossShards,
      batchSize: options.config.batchSize,
      blockMs: options.blockMs,
      idlePollMs: options.idlePollMs,
      signal: this.#stop.signal,
      notePartialFailure: rateLimitedWarning(options.logger, 'some of a sink’s streams cannot be read; the others go on'),
    });
  }

  get id(): string {
    return this.#options.config.id;
  }

  /** Why the sink was disabled (its 410), or undefined while it runs. */
  get disabled(): string | undefined {
    return this.#disabled;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Stops reading and abandons the delivery in hand (its entries stay pending). Idempotent. */
  close(): Promise<void> {
    this.#stop.abort();
    return this.#running ?? Promise.resolve();
  }

  async #loop(): Promise<void> {
    const { redis, streams, config, blockMs, commandTimeoutMs, logger } = this.#options;
    const reads = withCommandTimeout(redis, blockMs + commandTimeoutMs);
    const writes = withCommandTimeout(redis, commandTimeoutMs);
    const logFailure = rateLimitedWarning(logger, 'sink worker cannot read');
    let groupsReady = false;
    let failures = 0;
    while (!this.#stop.signal.aborted && this.#disabled === undefined) {
      if (!redis.isReady) {
        await redis.untilReady(this.#stop.signal).catch(() => undefined);
        continue;
      }
      try {
        if (!groupsReady) {
          await streams.ensureGroups(writes, config.start);
          groupsReady = true;
        }
        const batches = await this.#reader.read(reads);
        await this.#deliver(
          writes,
          batches.flatMap((batch) => batch.entries.map((entry) => ({ stream: batch.stream, entry }))),
        );
        this.#reader.advance(batches);
        await this.#maintain(writes);
        failures = 0;
      } catch (error) {
        this.#reader.rewind();
        if (isMissingGroupError(error)) groupsReady = false;
        logFailure(error);
        await backoff(failures++, this.#stop.signal);
      }
    }
  }

  /** Delivers `read` in chunks of the sink's batch size, then acknowledges or dead-letters each entry. */
  async #deliver(writes: RedisCommands, read: readonly ReadEntry[]): Promise<void> {
    const { config, metrics } = this.#options;
    const acks: ReadEntry[] = [];
    const toSend: { readonly read: ReadEntry; readonly event: SinkEvent }[] = [];
    let trimmed = 0;
    for (const each of read) {
      const { entry } = each;
      if (!entry.present) {
        // Trimmed while pending (past SINK_MAX_BACKLOG_SECONDS): nothing is left to deliver.
        trimmed++;
        acks.push(each);
      } else if (entry.hash === undefined || entry.event === undefined) {
        await this.#deadLetter(writes, each, 'not an events entry (no hash or event field)', 0);
      } else if (!sinkTakes(config, entry.tenant)) {
        acks.push(each);
      } else {
        const firstSeenMs = entryTimeMs(entry.origin ?? entry.id);
        toSend.push({ read: each, event: { hash: entry.hash, tenant: entry.tenant, eventJson: entry.event, firstSeenMs } });
      }
    }
    if (trimmed > 0) {
      metrics?.countFailed(config.id, config.type, 'trimmed', trimmed);
      this.#options.logger.warn('entries trimmed before the sink had them', { count: trimmed });
    }
    for (let start = 0; start < toSend.length && !this.#stop.signal.aborted && this.#disabled === undefined; start += config.batchSize) {
      const chunk = toSend.slice(start, start + config.batchSize);
      const outcomes = await this.#attempt(chunk.map((item) => item.event));
      for (const [index, outcome] of outcomes.entries()) {
        const item = chunk[index];
        if (item === undefined) continue;
        if (outcome.kind === 'delivered') acks.push(item.read);
        else if (outcome.kind === 'dead') await this.#deadLetter(writes, item.read, outcome.reason, outcome.attempts);
        else if (outcome.kind === 'disabled') this.#disable(outcome.reason);
      }
      metrics?.countDelivered(config.id, config.type, outcomes.filter((outcome) => outcome.kind === 'delivered').length);
    }
    await this.#ack(writes, acks);
  }

  /** One chunk through the runner: retries, backoff, the breaker; each attempt timed and its failures counted. */
  #attempt(events: readonly SinkEvent[]): Promise<FinalOutcome[]> {
    const { sink, policy, config, metrics } = this.#options;
    return deliverWithRetries(sink, events, policy, this.#stop.signal, (report) => {
      metrics?.observeAttempt(config.id, config.type, report.durationMs);
      const count = (kind: string) => report.outcomes.filter((outcome) => outcome.kind === kind).length;
      metrics?.countFailed(config.id, config.type, 'transient', count('retry'));
      metrics?.countFailed(config.id, config.type, 'rejected', count('rejected'));
      metrics?.countFailed(config.id, config.type, 'gone', count('gone'));
    });
  }

  async #ack(writes: RedisCommands, acks: readonly ReadEntry[]): Promise<void> {
    const byStream = new Map<string, string[]>();
    for (const { stream, entry } of acks) {
      const ids = byStream.get(stream);
      if (ids) ids.push(entry.id);
      else byStream.set(stream, [entry.id]);
    }
    await Promise.all([...byStream].map(([stream, ids]) => this.#options.streams.group.ack(writes, stream, ids)));
  }

  async #deadLetter(writes: RedisCommands, { stream, entry }: ReadEntry, reason: string, attempts: number): Promise<void> {
    const { streams, config, policy, metrics, logger } = this.#options;
    if (await streams.deadLetter(writes, stream, entry.id, reason, attempts)) {
      if (attempts >= policy.maxAttempts) metrics?.countFailed(config.id, config.type, 'exhausted', 1);
      logger.warn('entry moved to the sink’s dead letters', { stream, id: entry.id, reason });
    }
  }

  #disable(reason: string): void {
    if (this.#disabled !== undefined) return;
    this.#disabled = reason;
    const { config, metrics, logger } = this.#options;
    metrics?.setState(config.id, config.type, 'disabled');
    logger.error('sink disabled: it answered 410 Gone; its entries stay pending until SINKS_FILE changes it or the consumer restarts', {
      type: config.type,
      reason,
    });
  }

  /** Now and then: take over entries that other (dead) consumers of the sink left pending; trim acknowledged replays. */
  async #maintain(writes: RedisCommands): Promise<void> {
    const { streams, consumer, claimIdleMs, claimIntervalMs, config } = this.#options;
    const now = Date.now();
    if (now - this.#lastReclaim >= claimIntervalMs) {
      this.#lastReclaim = now;
      for (const stream of streams.group.streams) {
        // Its own pending entries this worker re-reads itself (backlog pass); claiming them would deliver them twice at once.
        const stale = (await streams.group.stale(writes, stream, claimIdleMs, config.batchSize)).filter((row) => row.consumer !== consumer);
        const claimed = await streams.group.claim(
          writes,
          stream,
          consumer,
          claimIdleMs,
          stale.map((row) => row.id),
        );
        if (claimed.length === 0) continue;
        this.#options.logger.info('sink worker took over stale entries', { stream, count: claimed.length });
        await this.#deliver(
          writes,
          claimed.map((entry) => ({ stream, entry })),
        );
        if (claimed.length >= config.batchSize) this.#lastReclaim = 0;
      }
    }
    if (now - this.#lastTrim >= REPLAY_TRIM_INTERVAL_MS) {
      this.#lastTrim = now;
      await streams.trimReplays(writes);
    }
  }
}
