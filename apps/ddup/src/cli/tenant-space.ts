import type { CanonicalForm } from '@ddup/gateway';
import type { Tenant } from '@ddup/tenants';
import type { CliSettings } from './cli-env.ts';
import { UsageError } from './usage-error.ts';

/** The dedup space a command works in: the default one, or a tenant's (its window, key fields and form, from TENANTS_FILE). */
export interface CliSpace {
  readonly tenant: Tenant | undefined;
  readonly windowSeconds: number;
  readonly canonicalForm: CanonicalForm;
  readonly keyFields: readonly string[] | undefined;
}

/** The space `--tenant <id>` names (the default space without it), or a UsageError saying what is missing. */
export function spaceOf(settings: CliSettings, tenantId: string | undefined): CliSpace {
  const defaults = { windowSeconds: settings.DEDUP_WINDOW_SECONDS, canonicalForm: settings.CANONICAL_FORM };
  if (tenantId === undefined) return { tenant: undefined, keyFields: undefined, ...defaults };
  if (settings.tenants === undefined) {
    throw new UsageError("--tenant needs TENANTS_FILE (the gateway's file): a tenant's window, key fields and form are there");
  }
  const tenant = settings.tenants.byId(tenantId);
  if (tenant === undefined) {
    const known = settings.tenants.tenants.map((each) => each.id).join(', ');
    throw new UsageError(`no tenant "${tenantId}" in ${settings.tenants.path} (tenants: ${known || 'none'})`);
  }
  return {
    tenant,
    windowSeconds: tenant.windowSeconds ?? defaults.windowSeconds,
    canonicalForm: tenant.canonicalForm ?? defaults.canonicalForm,
    keyFields: tenant.keyFields,
  };
}
