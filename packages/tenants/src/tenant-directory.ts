import { ConfigError } from '@ddup/config';
import { tenantOfApiKey } from './api-key.ts';
import { type Tenant, readTenantsFile } from './tenants-file.ts';

/** What a reload did: the new tenants in force, or the file's problems (the old tenants stay). */
export type ReloadResult = { readonly ok: true; readonly tenants: readonly Tenant[] } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The tenants in force, read from TENANTS_FILE at start (a bad file throws: start-up stops) and
 * again on `reload()` (SIGHUP), which swaps them in one assignment: a request already running
 * keeps the tenant it was given, the next one sees the new file, none is dropped. A bad file on
 * reload changes nothing and says why.
 */
export class TenantDirectory {
  #tenants: readonly Tenant[];
  #byId: ReadonlyMap<string, Tenant>;

  constructor(readonly path: string) {
    this.#tenants = readTenantsFile(path);
    this.#byId = new Map(this.#tenants.map((tenant) => [tenant.id, tenant]));
  }

  get tenants(): readonly Tenant[] {
    return this.#tenants;
  }

  byId(id: string): Tenant | undefined {
    return this.#byId.get(id);
  }

  /** The tenant whose API key this is, compared in constant time. */
  authenticate(apiKey: string): Tenant | undefined {
    return tenantOfApiKey(this.#tenants, apiKey);
  }

  reload(): ReloadResult {
    try {
      const tenants = readTenantsFile(this.path);
      this.#tenants = tenants;
      this.#byId = new Map(tenants.map((tenant) => [tenant.id, tenant]));
      return { ok: true, tenants };
    } catch (error) {
      if (error instanceof ConfigError) return { ok: false, problems: error.problems };
      throw error;
    }
  }
}
