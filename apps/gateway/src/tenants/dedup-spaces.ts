import type { CanonicalForm } from '@ddup/hashing';
import type { RedisCommands } from '@ddup/runtime';
import type { RememberedSpace, Store } from '@ddup/store';
import type { Tenant, TenantDirectory } from '@ddup/tenants';
import { limitConcurrency } from '../admission/concurrency-limit.ts';
import { DEFAULT_SPACE, DedupSpace, type SpaceContext } from '../admission/dedup-space.ts';
import type { AdmissionSettings } from '../admission/replication.ts';

/** What every space shares: the Redis commands, the deployment's store, the defaults and the batch limit. */
export interface SpaceSettings {
  readonly redis: RedisCommands;
  /** The default space's store; a tenant's is derived from it (same layout, its own names and window). */
  readonly store: Store;
  readonly admission: AdmissionSettings;
  readonly canonicalForm: CanonicalForm;
  readonly batchConcurrency: number;
}

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
  readonly #context: SpaceContext;

  constructor(settings: SpaceSettings, directory: TenantDirectory | undefined) {
    this.#settings = settings;
    this.#directory = directory;
    // One limit for every space's batches: they all share the Redis connection it protects.
    const limited = limitConcurrency(settings.batchConcurrency, (run: () => Promise<unknown>) => run());
    const batchLimit = <R>(run: () => Promise<R>) => limited(run) as Promise<R>;
    this.#context = { redis: settings.redis, admission: settings.admission, batchLimit };
    this.#default = new DedupSpace(this.#context, settings.store, { canonicalForm: settings.canonicalForm });
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
      const space = new DedupSpace(this.#context, store, {
        tenant: tenant.id,
        canonicalForm: tenant.canonicalForm ?? this.#settings.canonicalForm,
        keyFields: tenant.keyFields,
        rateLimit: tenant.rateLimit,
        maxIdempotencyKeys: tenant.maxIdempotencyKeys,
      });
      built = { space, store };
      this.#spaces.set(tenant, built);
    }
    return built;
  }
}
