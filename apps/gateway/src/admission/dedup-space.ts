import type { CanonicalForm } from '@ddup/hashing';
import type { PinnedSender, RedisCommands } from '@ddup/runtime';
import type { AdmitResult, EventToAdmit, IdempotencyClaim, RateDecision, RateLimit, Store } from '@ddup/store';
import { type AdmissionSettings, confirmReplicated } from './replication.ts';

/** The label of the one open space when there is no TENANTS_FILE (metrics, logs). */
export const DEFAULT_SPACE = 'default';

/** What every space of a gateway shares: its Redis commands, the durability asked of a 202, the batch limit. */
export interface SpaceContext {
  readonly redis: RedisCommands;
  readonly admission: AdmissionSettings;
  /** Runs a batch's admission when its turn comes (one limit for every space: they share the connection it protects). */
  readonly batchLimit: <R>(run: () => Promise<R>) => Promise<R>;
}

/** A space's own rules: a tenant's, or none for the default space. */
export interface SpaceRules {
  /** The tenant id; undefined for the default space. */
  readonly tenant?: string | undefined;
  readonly canonicalForm: CanonicalForm;
  /** Undefined: the key is the whole event (the Python-compatible hash). */
  readonly keyFields?: readonly string[] | undefined;
  readonly rateLimit?: RateLimit | undefined;
  /** Idempotency-Key records the tenant may hold (max_idempotency_keys); undefined: no bound. */
  readonly maxIdempotencyKeys?: number | undefined;
}

/** One shard's part of a batch: its events and where in the batch they came from. */
interface ShardCall {
  readonly shard: number;
  readonly events: EventToAdmit[];
  readonly indices: number[];
}

const ALLOWED: RateDecision = { allowed: true };

/** The start of the second of a stream entry id: the first-seen time the index keeps for it. */
function secondStartOf(id: string): number {
  const ms = Number(id.split('-')[0]);
  return ms - (ms % 1_000);
}

/**
 * Where a request's events are deduplicated: a tenant's own space (its window, key fields, form,
 * rate limit, Idempotency-Key quota), or the default space when ddup runs without TENANTS_FILE.
 * Everything admission does happens here, over the space's store; the answers are domain results
 * (`AdmitResult`), which the routes turn into HTTP.
 */
export class DedupSpace {
  readonly tenant: string | undefined;
  /** `tenant`, or `default`: the metrics label. */
  readonly label: string;
  readonly canonicalForm: CanonicalForm;
  readonly keyFields: readonly string[] | undefined;
  /** Events a second the tenant may post; undefined: no limit. */
  readonly rateLimitPerSecond: number | undefined;
  readonly maxIdempotencyKeys: number | undefined;
  readonly #redis: RedisCommands;
  readonly #store: Store;
  readonly #wait: AdmissionSettings['waitForReplicas'];
  readonly #batchLimit: SpaceContext['batchLimit'];
  readonly #rateLimit: RateLimit | undefined;

  constructor(context: SpaceContext, store: Store, rules: SpaceRules) {
    this.tenant = rules.tenant;
    this.label = rules.tenant ?? DEFAULT_SPACE;
    this.canonicalForm = rules.canonicalForm;
    this.keyFields = rules.keyFields;
    this.rateLimitPerSecond = rules.rateLimit?.perSecond;
    this.maxIdempotencyKeys = rules.maxIdempotencyKeys;
    this.#redis = context.redis;
    this.#store = store;
    this.#wait = context.admission.waitForReplicas;
    this.#batchLimit = context.batchLimit;
    this.#rateLimit = rules.rateLimit;
  }

  /**
   * Admits one event in one round trip: the store's admit script checks the index, appends to the
   * shard's stream and records the event atomically, so identical requests racing get one accepted.
   */
  async admit(hash: string, canonical: string): Promise<AdmitResult> {
    const wait = this.#wait;
    // With WAIT, script and WAIT go over one pinned connection: WAIT only covers writes sent before it on its own.
    const pinned = wait ? await this.#redis.pinnedTo(this.#store.bucketKeyOf(hash)) : undefined;
    const admission = await this.#store.admit(pinned ?? this.#redis, { hash, canonical });
    if (admission.outcome === 'accepted' && wait && pinned) await confirmReplicated(pinned, wait);
    return admission;
  }

  /**
   * Admits the valid events of one batch, when the batch limit lets it; resolves to one result per
   * event, in order. The events are grouped by shard and each shard's group is admitted by one call
   * of the store's batch script (all its keys carry the shard's hash tag, so the call works on Redis
   * Cluster); the calls go out together, so a single node sees one round trip. An event whose hash
   * repeats an earlier one of the batch is not sent again: it is a duplicate of that one (state
   * `pending` when that one was accepted, else its state and first-seen time). Any failed call fails
   * the whole batch: the other calls may have stored their events, which a retry then gets back as
   * duplicates. With `waitForReplicas`, the calls go over connections pinned to their shard's master
   * and, once all are answered, one WAIT per connection that stored something (one on a single
   * node) vouches for them, as for a single event.
   */
  admitBatch(events: readonly EventToAdmit[]): Promise<AdmitResult[]> {
    return this.#batchLimit(() => this.#admitBatch(events));
  }

  /** Notes what an Idempotency-Key (its digest) came with: new, the same content, other content, or over the quota. */
  claimIdempotencyKey(keyDigest: string, contentHash: string): Promise<IdempotencyClaim> {
    return this.#store.claimIdempotencyKey(this.#redis, keyDigest, contentHash, this.maxIdempotencyKeys);
  }

  /** Takes `tokens` from the tenant's rate limit; always allowed without one. */
  takeTokens(tokens: number): Promise<RateDecision> {
    return this.#rateLimit === undefined ? Promise.resolve(ALLOWED) : this.#store.takeTokens(this.#redis, this.#rateLimit, tokens);
  }

  async #admitBatch(events: readonly EventToAdmit[]): Promise<AdmitResult[]> {
    const store = this.#store;
    const wait = this.#wait;
    const admitted = new Array<AdmitResult>(events.length);
    const calls = new Map<number, ShardCall>();
    const firstOf = new Map<string, number>();
    const repeats: number[] = [];
    events.forEach((event, i) => {
      if (firstOf.has(event.hash)) {
        repeats.push(i);
        return;
      }
      firstOf.set(event.hash, i);
      const shard = store.shardOf(event.hash);
      let call = calls.get(shard);
      if (call === undefined) {
        call = { shard, events: [], indices: [] };
        calls.set(shard, call);
      }
      call.events.push(event);
      call.indices.push(i);
    });

    // Per pinned connection that stored something: one WAIT on it must vouch for it.
    const toConfirm = new Map<object, PinnedSender>();
    await Promise.all(
      Array.from(calls.values(), async (call) => {
        const first = call.events[0];
        const pinned = wait && first ? await this.#redis.pinnedTo(store.bucketKeyOf(first.hash)) : undefined;
        const results = await store.admitShardBatch(pinned ?? this.#redis, call.shard, call.events);
        results.forEach((result, k) => {
          admitted[call.indices[k] ?? 0] = result;
        });
        if (pinned && results.some((result) => result.outcome === 'accepted')) toConfirm.set(pinned.connection, pinned);
      }),
    );
    for (const i of repeats) {
      const hash = events[i]?.hash ?? '';
      const first = admitted[firstOf.get(hash) ?? i];
      admitted[i] =
        first?.outcome === 'duplicate' ? first : { outcome: 'duplicate', hash, state: 'pending', firstSeenMs: first ? secondStartOf(first.id) : undefined };
    }
    if (wait) await Promise.all(Array.from(toConfirm.values(), (pinned) => confirmReplicated(pinned, wait)));
    return admitted;
  }
}
