import { z } from 'zod';
import { parseJsonFile, readSettingsFile } from '@ddup/config';
import { CANONICAL_FORMS, type CanonicalForm } from '@ddup/hashing';
import { TENANT_ID } from '@ddup/store';

const YEAR_SECONDS = 365 * 24 * 3600;

/** A path into the event: `user_id`, `event_type`, `timestamp`, `payload`, or a dotted path into the payload (`payload.order_id`). */
const keyField = z.string().regex(/^(user_id|event_type|timestamp|payload(\.[^.\s]+)*)$/, {
  error: 'must be user_id, event_type, timestamp, payload, or a dotted path into the payload such as "payload.order_id"',
});

const tenantSchema = z.strictObject({
  id: z.string().regex(TENANT_ID, { error: 'must be 1 to 64 letters, digits, _ or -' }),
  api_keys: z
    .array(
      z
        .string()
        .regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be "sha256:" then the 64 lowercase hex digits of the key\'s SHA-256 (the file holds no key itself)' }),
    )
    .min(1, { error: 'needs at least one key' }),
  window_seconds: z.int().min(1).max(YEAR_SECONDS).optional(),
  key_fields: z.array(keyField).min(1, { error: 'leave it out to key on the whole event' }).optional(),
  rate_limit_per_second: z.number().positive().max(1_000_000).optional(),
  /** Tokens the bucket holds: how many events may come at once; the rate (one second's worth) by default. */
  rate_limit_burst: z.int().min(1).max(10_000_000).optional(),
  refresh_on_duplicate: z.boolean().optional(),
  /** Idempotency-Key records the tenant may hold at once (each lives its window): its share of Redis. */
  max_idempotency_keys: z.int().min(1).max(1_000_000_000).optional(),
  canonical_form: z.enum(CANONICAL_FORMS).optional(),
});

const fileSchema = z.strictObject({ tenants: z.array(tenantSchema).min(1, { error: 'needs at least one tenant' }) });

/** A tenant of TENANTS_FILE, as the gateway and the consumer use it. */
export interface Tenant {
  readonly id: string;
  /** SHA-256 of each of its API keys (several, for rotation). */
  readonly apiKeyDigests: readonly Buffer[];
  /** Its dedup window; undefined: DEDUP_WINDOW_SECONDS. */
  readonly windowSeconds: number | undefined;
  /** The fields its dedup key is taken of; undefined: the whole event (the Python-compatible hash). */
  readonly keyFields: readonly string[] | undefined;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | undefined;
  readonly refreshOnDuplicate: boolean;
  /** Idempotency-Key records it may hold at once; undefined: no bound (the rate limit's only). */
  readonly maxIdempotencyKeys: number | undefined;
  /** Undefined: CANONICAL_FORM. */
  readonly canonicalForm: CanonicalForm | undefined;
}

type TenantEntry = z.output<typeof tenantSchema>;

function tenantOf(entry: TenantEntry): Tenant {
  const perSecond = entry.rate_limit_per_second;
  return {
    id: entry.id,
    apiKeyDigests: entry.api_keys.map((key) => Buffer.from(key.slice('sha256:'.length), 'hex')),
    windowSeconds: entry.window_seconds,
    keyFields: entry.key_fields,
    rateLimit: perSecond === undefined ? undefined : { perSecond, burst: entry.rate_limit_burst ?? Math.max(1, Math.ceil(perSecond)) },
    refreshOnDuplicate: entry.refresh_on_duplicate ?? false,
    maxIdempotencyKeys: entry.max_idempotency_keys,
    canonicalForm: entry.canonical_form,
  };
}

/** Where an issue is, in the words of the file: `tenant "acme" (tenants[0]) field window_seconds`. */
function placeOf(path: readonly PropertyKey[], raw: unknown): string {
  const [top, index, field, ...rest] = path;
  if (top !== 'tenants' || typeof index !== 'number') return path.length === 0 ? 'the file' : `field ${path.map(String).join('.')}`;
  const tenants = (raw as { tenants?: unknown[] }).tenants;
  const id = (tenants?.[index] as { id?: unknown } | undefined)?.id;
  const who = typeof id === 'string' ? `tenant "${id}" (tenants[${index}])` : `tenants[${index}]`;
  if (field === undefined) return who;
  return `${who} field ${[field, ...rest].map(String).join('.')}`;
}

/** Problems no field-by-field check sees: ids and API keys used twice. */
function crossChecks(entries: readonly TenantEntry[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const keys = new Map<string, string>();
  for (const [index, entry] of entries.entries()) {
    if (ids.has(entry.id)) problems.push(`tenant "${entry.id}" (tenants[${index}]) field id: is used by an earlier tenant`);
    ids.add(entry.id);
    for (const key of entry.api_keys) {
      const owner = keys.get(key);
      if (owner !== undefined && owner !== entry.id)
        problems.push(`tenant "${entry.id}" (tenants[${index}]) field api_keys: a key is also tenant "${owner}"'s`);
      keys.set(key, entry.id);
    }
  }
  return problems;
}

const rules = { schema: fileSchema, placeOf, crossChecks: (file: z.output<typeof fileSchema>) => crossChecks(file.tenants) };

/** The tenants in `text` (a TENANTS_FILE's content); throws a ConfigError naming each bad tenant and field. */
export function parseTenantsFile(text: string, source = 'TENANTS_FILE'): Tenant[] {
  return parseJsonFile(text, source, rules).tenants.map(tenantOf);
}

/** Reads and parses the file at `path`; a file that cannot be read is a ConfigError too. */
export function readTenantsFile(path: string): Tenant[] {
  return parseTenantsFile(readSettingsFile('TENANTS_FILE', path), `TENANTS_FILE ${path}`);
}
