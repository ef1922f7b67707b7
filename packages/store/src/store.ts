import { type IndexLayout, bucketOf, fingerprintOf, indexBucketKey, indexLayoutOf } from './index-layout.ts';
import {
  CONSUMER_GROUP,
  type SeenState,
  deadLetterStreamKey,
  eventsStreamKey,
  idempotencyCountKey,
  idempotencyKeyName,
  legacyKey,
  rateLimitKey,
  tenantPart,
} from './names.ts';
import { type RedisArgument, type RedisCommandSender, runScript } from './script-runner.ts';
import {
  type AdmitBatchReply,
  type AdmitReply,
  type IdempotencyClaimReply,
  type LookupReply,
  type MoveReply,
  admitBatchScript,
  admitScript,
  confirmBatchScript,
  forgetScript,
  idempotencyClaimScript,
  lookupScript,
  rateLimitScript,
  replayDeadLetterScript,
} from './scripts.ts';
import { shardOf } from './shard.ts';
import { StreamGroup } from './streams/consumer-group.ts';

export interface StoreSettings {
  readonly shardCount: number;
  /** INDEX_CAPACITY: events the window is expected to hold; sizes the index's buckets. */
  readonly indexCapacity: number;
  readonly windowSeconds: number;
  /** SEED_LEGACY_KEYS: the Python service's bare-hash keys count as seen too (one node only). */
  readonly legacyKeys?: boolean;
  /**
   * Whose dedup space this is: a tenant of TENANTS_FILE has its own index keys (`t:<tenant>:` in
   * their names) and its events carry a `tenant` field on the shared streams; undefined is the
   * default space (no TENANTS_FILE), named as before tenants existed.
   */
  readonly tenant?: string;
  /** A duplicate restarts its event's window (a tenant's refresh_on_duplicate). */
  readonly refreshOnDuplicate?: boolean;
}

/**
 * What an Idempotency-Key's record says of a request (see idempotency-claim-var.lua), or that the
 * tenant holds its quota of keys and the next one frees in `retryAfterMs`.
 */
export type IdempotencyClaim = 'new' | 'same' | 'different' | { readonly overQuota: true; readonly retryAfterMs: number };

/** A tenant's rate limit: `perSecond` tokens a second, at most `burst` at once. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** What the rate limit said: taken, or refused with how long until enough tokens are back. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** An event to admit: its hash and the canonical JSON that goes on the stream. */
export interface EventToAdmit {
  readonly hash: string;
  readonly canonical: string;
}

/** What admission made of one event. */
export type AdmitResult =
  | { readonly outcome: 'accepted'; readonly hash: string; readonly id: string }
  | {
      readonly outcome: 'duplicate';
      readonly hash: string;
      readonly state: SeenState;
      /** Start of the second it was first accepted in (Unix ms); undefined for a key of the Python service. */
      readonly firstSeenMs: number | undefined;
    };

/** What the index remembers of an event within its window. */
export interface RememberedEvent {
  readonly hash: string;
  readonly state: SeenState;
  readonly firstSeenMs: number;
  /** When it stops counting as a duplicate (Unix ms). */
  readonly expiresMs: number;
}

/** An events-stream entry to confirm: its id and the hash it carries (and its `tenant` field, if any). */
export interface EntryToConfirm {
  readonly id: string;
  readonly hash: string;
  readonly tenant?: string;
}

function duplicateOf(hash: string, state: string, firstSeen: number): AdmitResult {
  return { outcome: 'duplicate', hash, state: state as SeenState, firstSeenMs: firstSeen < 0 ? undefined : firstSeen };
}

/**
 * ddup's one door to Redis data: key names, the index layout and every script call, with KEYS and
 * ARGV built here and nowhere else (as BullMQ's Scripts class). Each method takes the sender to
 * use, so a caller can pin a write to the connection its WAIT must follow.
 */
export class Store {
  readonly layout: IndexLayout;
  readonly #window: string;
  readonly #legacyKeys: boolean;
  readonly #tenant: string;
  readonly #refresh: string;

  constructor(readonly settings: StoreSettings) {
    this.layout = indexLayoutOf(settings.shardCount, settings.indexCapacity);
    this.#window = String(settings.windowSeconds);
    this.#legacyKeys = settings.legacyKeys ?? false;
    if (this.#legacyKeys && settings.tenant !== undefined) throw new RangeError('legacy keys belong to the default space, not to a tenant');
    // Checks the id now rather than at the first key name.
    tenantPart(settings.tenant);
    this.#tenant = settings.tenant ?? '';
    this.#refresh = settings.refreshOnDuplicate ? '1' : '0';
  }

  /** The same deployment's store for another dedup space (a tenant) with its own window and options. */
  forTenant(tenant: string | undefined, options: { windowSeconds?: number; refreshOnDuplicate?: boolean } = {}): Store {
    const { legacyKeys: _legacy, ...shared } = this.settings;
    return new Store({ ...shared, ...options, tenant, ...(tenant === undefined ? { legacyKeys: this.#legacyKeys } : {}) });
  }

  shardOf(hash: string): number {
    return shardOf(hash, this.layout.shardCount);
  }

  /** The index bucket that holds `hash` (in the shard `shardOf(hash)`). */
  bucketKeyOf(hash: string): string {
    return this.#bucketKeyIn(hash, this.settings.tenant);
  }

  #bucketKeyIn(hash: string, tenant: string | undefined): string {
    return indexBucketKey(this.shardOf(hash), bucketOf(hash, this.layout.bucketsPerShard), tenant);
  }

  /** Admits one event atomically: check the index, XADD, record it (admit-var.lua). */
  async admit(redis: RedisCommandSender, event: EventToAdmit): Promise<AdmitResult> {
    const { hash, canonical } = event;
    const keys = [this.bucketKeyOf(hash), eventsStreamKey(this.shardOf(hash))];
    if (this.#legacyKeys) keys.push(legacyKey(hash));
    const reply = await runScript<AdmitReply>(redis, admitScript.withKeyCount(keys.length), keys, [
      this.#window,
      hash,
      fingerprintOf(hash),
      canonical,
      this.#tenant,
      this.#refresh,
    ]);
    return reply[0] === 1 ? { outcome: 'accepted', hash, id: reply[1] } : duplicateOf(hash, reply[1], reply[2]);
  }

  /**
   * Admits events that all belong to `shard` in one call (admit-batch-var.lua), each as `admit`
   * would, in order; one result per event.
   */
  async admitShardBatch(redis: RedisCommandSender, shard: number, events: readonly EventToAdmit[]): Promise<AdmitResult[]> {
    const keys = [eventsStreamKey(shard)];
    const args: RedisArgument[] = [this.#window, this.#tenant, this.#refresh];
    for (const { hash, canonical } of events) {
      if (this.shardOf(hash) !== shard) throw new RangeError(`event ${hash.slice(0, 12)}… is not of shard ${shard}`);
      keys.push(this.bucketKeyOf(hash));
      args.push(hash, fingerprintOf(hash), canonical);
    }
    if (this.#legacyKeys) keys.push(...events.map(({ hash }) => legacyKey(hash)));
    const reply = await runScript<AdmitBatchReply>(redis, admitBatchScript.withKeyCount(keys.length), keys, args);
    if (!Array.isArray(reply) || reply.length !== 3 * events.length) {
      throw new Error(`${admitBatchScript.name}: expected ${3 * events.length} reply elements`);
    }
    return events.map(({ hash }, i) =>
      reply[3 * i] === 1 ? { outcome: 'accepted', hash, id: String(reply[3 * i + 1]) } : duplicateOf(hash, String(reply[3 * i + 1]), Number(reply[3 * i + 2])),
    );
  }

  /**
   * Marks the events of `entries` processed in the index and acknowledges `ackIds` (which should
   * include those entries' ids) on `stream`, in one call (confirm-batch-var.lua). Resolves to
   * XACK's count.
   */
  async confirm(
    redis: RedisCommandSender,
    stream: string,
    entries: readonly EntryToConfirm[],
    ackIds: readonly string[],
    refreshing: ReadonlySet<string> = new Set(),
  ): Promise<number> {
    if (ackIds.length === 0) return 0;
    const keys = [stream, ...entries.map(({ hash, tenant }) => this.#bucketKeyIn(hash, tenant))];
    // A tenant whose duplicates refresh the window moves records on in time: compare its admission's second instead.
    const latest = ({ id, tenant }: EntryToConfirm) => (tenant !== undefined && refreshing.has(tenant) ? `+${id}` : id);
    const args = [CONSUMER_GROUP, '', ...entries.flatMap((entry) => [fingerprintOf(entry.hash), latest(entry)]), ...ackIds];
    return runScript<number>(redis, confirmBatchScript.withKeyCount(keys.length), keys, args);
  }

  /** What the index remembers of `hash` within the window, or undefined. */
  async lookup(redis: RedisCommandSender, hash: string): Promise<RememberedEvent | undefined> {
    const reply = await runScript<LookupReply>(redis, lookupScript, [this.bucketKeyOf(hash)], [this.#window, fingerprintOf(hash)]);
    if (reply[0] !== 1) return undefined;
    return { hash, state: reply[1] as SeenState, firstSeenMs: reply[2], expiresMs: reply[3] };
  }

  /** Forgets `hash`, so the next identical event is accepted; true when the index held it. */
  async forget(redis: RedisCommandSender, hash: string): Promise<boolean> {
    return (await runScript<number>(redis, forgetScript, [this.bucketKeyOf(hash)], [fingerprintOf(hash)])) > 0;
  }

  /** Moves pending entry `id` of `stream` to its shard's dead letters and acknowledges it in the workers' group; true when moved. */
  async deadLetter(redis: RedisCommandSender, stream: string, id: string, reason: string, deliveries: number): Promise<boolean> {
    return new StreamGroup(CONSUMER_GROUP, [stream]).deadLetter(redis, stream, id, reason, deliveries);
  }

  /**
   * Notes `contentHash` as what Idempotency-Key `key` (its SHA-256, hex) came with, for this
   * space's window, unless it came before: then says whether with the same content. With
   * `maxKeys` (a tenant's max_idempotency_keys) a new key is refused once the tenant holds that
   * many, counted per shard (an equal share each; keys spread evenly over shards by their digest).
   */
  async claimIdempotencyKey(redis: RedisCommandSender, keyDigest: string, contentHash: string, maxKeys?: number): Promise<IdempotencyClaim> {
    const shard = this.shardOf(keyDigest);
    const keys = [idempotencyKeyName(shard, keyDigest, this.settings.tenant)];
    const args = [contentHash, String(this.settings.windowSeconds * 1000)];
    if (maxKeys !== undefined) {
      if (this.settings.tenant === undefined) throw new RangeError('quotas belong to tenants');
      keys.push(idempotencyCountKey(shard, this.settings.tenant));
      args.push(String(Math.ceil(maxKeys / this.layout.shardCount)));
    }
    const [answer, retryAfterMs] = await runScript<IdempotencyClaimReply>(redis, idempotencyClaimScript.withKeyCount(keys.length), keys, args);
    return answer === 'over_quota' ? { overQuota: true, retryAfterMs } : (answer as 'new' | 'same' | 'different');
  }

  /** Takes `tokens` from this tenant's rate-limit bucket (shared by every gateway on this Redis). */
  async takeTokens(redis: RedisCommandSender, limit: RateLimit, tokens: number): Promise<RateDecision> {
    if (this.settings.tenant === undefined) throw new RangeError('rate limits belong to tenants');
    const [allowed, retryAfterMs] = await runScript<[number, number]>(
      redis,
      rateLimitScript,
      [rateLimitKey(this.settings.tenant)],
      [String(limit.perSecond), String(limit.burst), String(tokens)],
    );
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs };
  }

  /** Puts dead letter `id` of `shard` back on its events stream; the new entry's id, or undefined when there was none. */
  async replay(redis: RedisCommandSender, shard: number, id: string): Promise<string | undefined> {
    const [moved, newId] = await runScript<MoveReply>(redis, replayDeadLetterScript, [deadLetterStreamKey(shard), eventsStreamKey(shard)], [id]);
    return moved === 1 ? newId : undefined;
  }
}
