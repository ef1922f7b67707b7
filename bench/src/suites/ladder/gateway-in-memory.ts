// A bench-only server for `pnpm bench:ladder`: the gateway's own Hono app (validation, canonical
// JSON, SHA-256, the echoing answer, the error mapping), served as apps/gateway/src/main.ts serves
// it, with admission kept in this process's memory instead of Redis. It measures what the
// gateway's own work costs over the bare baseline, apart from Redis and the consumer. Not a
// product: it forgets everything when it stops.
import { type AdmitResult, type EventToAdmit, type IdempotencyClaim, type RateDecision, Store } from '@ddup/store';
import { type GatewayConfig, DedupSpace, GatewayMetrics, appSettingsOf, createGatewayApp, listen, parseGatewayConfig } from '@ddup/gateway';
import { type RedisCommands, createLogger } from '@ddup/runtime';
import { benchEnvironment } from '../../lib/env.ts';

const inMemory = () => Promise.reject(new Error('the in-memory gateway has no Redis'));
const NO_REDIS: RedisCommands = { sendCommand: inMemory, pinnedTo: inMemory, sendToEachMaster: inMemory };

/** The default dedup space with its admission, Idempotency-Keys and (absent) rate limit in this process's memory. */
class MemorySpace extends DedupSpace {
  readonly #firstSeen = new Map<string, number>();
  readonly #keys = new Map<string, string>();
  #sequence = 0;

  constructor(config: GatewayConfig) {
    // The store is never asked: every method that would reach it is overridden.
    const store = new Store({ shardCount: config.STREAM_SHARDS, indexCapacity: config.INDEX_CAPACITY, windowSeconds: config.DEDUP_WINDOW_SECONDS });
    super({ redis: NO_REDIS, admission: {}, batchLimit: (run) => run() }, store, { canonicalForm: config.CANONICAL_FORM });
  }

  override async admit(hash: string): Promise<AdmitResult> {
    return this.#admitOne(hash);
  }

  override async admitBatch(events: readonly EventToAdmit[]): Promise<AdmitResult[]> {
    return events.map((event) => this.#admitOne(event.hash));
  }

  override async claimIdempotencyKey(digest: string, content: string): Promise<IdempotencyClaim> {
    const seen = this.#keys.get(digest);
    if (seen === undefined) this.#keys.set(digest, content);
    return seen === undefined ? 'new' : seen === content ? 'same' : 'different';
  }

  override async takeTokens(): Promise<RateDecision> {
    return { allowed: true };
  }

  #admitOne(hash: string): AdmitResult {
    const seen = this.#firstSeen.get(hash);
    if (seen !== undefined) return { outcome: 'duplicate', hash, state: 'pending', firstSeenMs: seen };
    const now = Date.now();
    this.#firstSeen.set(hash, now - (now % 1000));
    return { outcome: 'accepted', id: `${now}-${this.#sequence++}`, hash };
  }
}

const config = parseGatewayConfig(benchEnvironment());
const logger = createLogger('gateway-in-memory', config.LOG_LEVEL);
const space = new MemorySpace(config);
const app = createGatewayApp({
  ...appSettingsOf(config),
  spaces: { authenticated: false, ofApiKey: () => space },
  checkRedis: async () => undefined,
  logger,
  metrics: new GatewayMetrics(),
});
const server = await listen(app, config.PORT, config.HOST);
// Exit cleanly on SIGTERM, so that a --cpu-prof profile is written.
process.once('SIGTERM', () => server.close(() => process.exit(0)));
