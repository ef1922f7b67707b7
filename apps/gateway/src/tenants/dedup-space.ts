import type { CanonicalForm } from '@ddup/hashing';
import type { RedisCommands } from '@ddup/runtime';
import type { IdempotencyClaim, RateDecision, RememberedSpace, Store } from '@ddup/store';
import type { Tenant, TenantDirectory } from '@ddup/tenants';
import { type AdmitBatch, createBatchAdmitter } from '../admission/batch-admission.ts';
import { limitConcurrency } from '../admission/concurrency-limit.ts';
import { type AdmitEvent, createEventAdmitter } from '../admission/event-admission.ts';
import type { AdmissionSettings } from '../admission/replication.ts';

/** The label of the one open space when there is no TENANTS_FILE (metrics, logs). */
export const DEFAULT_SPACE = 'default';

/**
 * Where a request's events are deduplicated: a tenant's own space (its window, key fields, form,
 * rate limit), or the default space when ddup runs without TENANTS_FILE.
 */
export interface DedupSpace {
  /** The tenant id; undefined for the default space. */
  readonly tenant: string | undefined;
  /** `tenant`, or `default`: the metrics label. */
  readonly label: string;
  readonly canonicalForm: CanonicalForm;
  /** Undefined: the key is the whole event (the Python-compatible hash). */
  readonly keyFields: readonly string[] | undefined;
  /** Events a second the tenant may post; undefined: no limit. */
  readonly rateLimitPerSecond: number | undefined;
  /** Idempotency-Key records the tenant may hold (max_idempotency_keys); undefined: no bound. */
  readonly maxIdempotencyKeys: number | undefined;
  readonly admitEvent: AdmitEvent;
  readonly admitBatch: AdmitBatch;
  claimIdempotencyKey(keyDigest: string, contentHash: string): Promise<IdempotencyClaim>;
  /** Takes `tokens` from the tenant's rate limit; always allowed without one. */
  takeTokens(tokens: number): Promise<RateDecision>;
}

/** What every space shares: the Redis commands, the deployment's store, the defaults and the batch limit. */
export interface SpaceSettings {
  readonly redis: RedisCommands;
  /** The default space's store; a tenant's is derived from it (same layout, its own names and window). */
  readonly store: Store;
  readonly admission: AdmissionSettings;
  readonly canonicalForm: CanonicalForm;
  readonly batchConcurrency: number;
}

const ALLOWED: RateDecision = { allowed: true };

/**
 * The spaces whose remembered events count (metrics, dashboard, `ddup inspect`): the tenants in
 * force with their windows, or the default space without TENANTS_FILE.
 */
export function rememberedSpacesOf(directory: TenantDirectory | undefined, defaultWindowSeconds: number): RememberedSpace[] {
  if (directory === undefined) return [{ windowSeconds: defaultWindowSeconds }];
  return directory.tenants.map((tenant) => ({ tenant: tenant.id, windowSeconds: tenant.windowSeconds ?? defaultWindowSeconds }));
}

/** Finds the space of a request from its API key: DedupSpaces, or one fixed space (the bench's in-memory gateway). */
export interface SpaceResolver {
  /** Whether requests must name a tenant (TENANTS_FILE is set). */
  readonly authenticated: boolean;
  /** The space of the tenant whose API key this is; undefined for a missing or unknown key when authenticated. */
  ofApiKey(apiKey: string | undefined): DedupSpace | undefined;
}

/**
 * The spaces of the tenants in force. A space is built the first time its tenant is seen and kept
 * as long as that Tenant object is in force: a reload (new objects) gives new spaces at the next
 * request, while requests already running finish in the old ones.
 */
export class DedupSpaces implements SpaceResolver {
  readonly #settings: SpaceSettings;
  readonly #directory: TenantDirectory | undefined;
  readonly #spaces = new WeakMap<Tenant, { space: DedupSpace; store: Store }>();
  readonly #default: DedupSpace;
  // One limit for every space's batches: they all share the Redis connection it protects.
  readonly #batchLimit: <R>(run: () => Promise<R>) => Promise<R>;

  constructor(settings: SpaceSettings, directory: TenantDirectory | undefined) {
    this.#settings = settings;
    this.#directory = directory;
    const limited = limitConcurrency(settings.batchConcurrency, (run: () => Promise<unknown>) => run());
    this.#batchLimit = <R>(run: () => Promise<R>) => limited(run) as Promise<R>;
    this.#default = this.#build(undefined, settings.store, settings.canonicalForm, undefined);
  }

  /** Whether requests must name a tenant (TENANTS_FILE is set). */
  get authenticated(): boolean {
    return this.#directory !== undefined;
  }

  /** The space of the tenant whose API key this is; undefined for an unknown key. Without TENANTS_FILE: the default space. */
  ofApiKey(apiKey: string | undefined): DedupSpace | undefined {
    if (this.#directory === undefined) return this.#default;
    if (apiKey === undefined) return undefined;
    const tenant = this.#directory.authenticate(apiKey);
    return tenant === undefined ? undefined : this.#ofTenant(tenant).space;
  }

  /**
   * The store of tenant `id`'s space (admin lookups), or undefined when there is no such tenant.
   * Without TENANTS_FILE only the default space exists: `id` undefined or `default`.
   */
  storeOf(id: string | undefined): Store | undefined {
    if (this.#directory === undefined) return id === undefined || id === DEFAULT_SPACE ? this.#settings.store : undefined;
    if (id === undefined) return undefined;
    const tenant = this.#directory.byId(id);
    return tenant === undefined ? undefined : this.#ofTenant(tenant).store;
  }

  /** The spaces whose remembered events count: see rememberedSpacesOf. */
  rememberedSpaces(): RememberedSpace[] {
    return rememberedSpacesOf(this.#directory, this.#settings.store.settings.windowSeconds);
  }

  #ofTenant(tenant: Tenant): { space: DedupSpace; store: Store } {
    let built = this.#spaces.get(tenant);
    if (built === undefined) {
      const store = this.#settings.store.forTenant(tenant.id, {
        windowSeconds: tenant.windowSeconds ?? this.#settings.store.settings.windowSeconds,
        refreshOnDuplicate: tenant.refreshOnDuplicate,
      });
      built = { space: this.#build(tenant.id, store, tenant.canonicalForm ?? this.#settings.canonicalForm, tenant), store };
      this.#spaces.set(tenant, built);
    }
    return built;
  }

  /** A space: the default one (`rules` undefined), or tenant `id`'s with its key fields, rate limit and quota. */
  #build(id: string | undefined, store: Store, canonicalForm: CanonicalForm, rules: Tenant | undefined): DedupSpace {
    const { redis, admission } = this.#settings;
    const admitBatch = createBatchAdmitter(redis, store, admission);
    const rateLimit = rules?.rateLimit;
    const maxKeys = rules?.maxIdempotencyKeys;
    return {
      tenant: id,
      label: id ?? DEFAULT_SPACE,
      canonicalForm,
      keyFields: rules?.keyFields,
      rateLimitPerSecond: rateLimit?.perSecond,
      maxIdempotencyKeys: maxKeys,
      admitEvent: createEventAdmitter(redis, store, admission),
      admitBatch: (events) => this.#batchLimit(() => admitBatch(events)),
      claimIdempotencyKey: (keyDigest, contentHash) => store.claimIdempotencyKey(redis, keyDigest, contentHash, maxKeys),
      takeTokens: (tokens) => (rateLimit === undefined ? Promise.resolve(ALLOWED) : store.takeTokens(redis, rateLimit, tokens)),
    };
  }
}
