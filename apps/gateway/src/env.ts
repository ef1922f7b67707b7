import { z } from 'zod';
import {
  type RedisTarget,
  booleanVar,
  durabilityVariables,
  enumVar,
  integerVar,
  parseOrExplain,
  parseEnv,
  redisTargetOf,
  redisVariables,
  refineOneRedisTarget,
  logVariables,
} from '@ddup/config';
import { CANONICAL_FORMS } from '@ddup/hashing';
import { layoutVariables, redisResetVariables } from '@ddup/store';
import { TenantDirectory } from '@ddup/tenants';
import { gatewayProcessesVar } from './processes/process-count.ts';
import { adminTokenWeakness } from './routes/admin/token-strength.ts';

/** A secret that must not be guessable: refused at start-up (naming why, never the value) when adminTokenWeakness finds it weak. */
const secretVar = z
  .string()
  .superRefine((token, context) => {
    const weakness = adminTokenWeakness(token);
    if (weakness !== undefined) context.addIssue({ code: 'custom', message: weakness });
  })
  .optional();

const gatewaySchema = z
  .object({
    ...redisVariables,
    ...layoutVariables,
    ...redisResetVariables,
    /** Which canonical JSON form the dedup hash is taken of. */
    CANONICAL_FORM: enumVar(CANONICAL_FORMS, 'python'),
    ...durabilityVariables,
    PORT: integerVar({ min: 1, max: 65_535, fallback: 8000 }),
    /** Unset: every interface, IPv4 and IPv6 (so `localhost` works whichever it resolves to). */
    HOST: z.string().optional(),
    /** Gateway processes serving PORT together (node:cluster, processes/gateway-primary.ts); `auto`: one per core but one. */
    GATEWAY_PROCESSES: gatewayProcessesVar,
    BODY_LIMIT_BYTES: integerVar({ min: 256, max: 64 * 1024 * 1024, fallback: 1024 * 1024 }),
    /** Body limit of `POST /events/batch`; larger bodies get 413. */
    BATCH_BODY_LIMIT_BYTES: integerVar({ min: 256, max: 256 * 1024 * 1024, fallback: 16 * 1024 * 1024 }),
    /** Most events in one batch; more are a 422 `too_long`. One script call admits a shard's share, so keep it modest. */
    BATCH_MAX_EVENTS: integerVar({ min: 1, max: 10_000, fallback: 1_000 }),
    /** Batches admitted at once; more wait in the gateway (no timer) rather than queue on the Redis connection. */
    BATCH_ADMISSION_CONCURRENCY: integerVar({ min: 1, max: 64, fallback: 2 }),
    /**
     * true: an event whose hash is a key in this Redis (what the Python service wrote, SETEX <hash>
     * in db 0) is a duplicate too, so a switch from it keeps its window. One Redis node only.
     */
    SEED_LEGACY_KEYS: booleanVar(false),
    REDIS_COMMAND_TIMEOUT_MS: integerVar({ min: 50, max: 60_000, fallback: 1_000 }),
    /** Time allowed to receive a whole request, headers and body; then 408 and the connection is closed (0: no limit). */
    BODY_TIMEOUT_MS: integerVar({ min: 0, max: 600_000, fallback: 10_000 }),
    /**
     * After answering a request before its body is all in (413, 503 `overloaded`, ...), the rest of
     * the body is read and thrown away for at most this long, so the client gets to read the answer
     * rather than a connection reset; then a client still sending is cut (0: cut at once).
     */
    LINGER_TIMEOUT_MS: integerVar({ min: 0, max: 600_000, fallback: 5_000 }),
    /** At most this many bytes of such a body are read and thrown away (never kept) before the client is cut (0: cut at once). */
    LINGER_MAX_BYTES: integerVar({ min: 0, max: 1024 * 1024 * 1024, fallback: 64 * 1024 * 1024 }),
    /**
     * Request body bytes held in memory at once, over all requests (a declared Content-Length is
     * counted before reading, a chunked body as it arrives); past it, 503 `overloaded` with
     * Retry-After. At least BATCH_BODY_LIMIT_BYTES and BODY_LIMIT_BYTES, so any body under its limit can be served.
     */
    MAX_INFLIGHT_BODY_BYTES: integerVar({ min: 1024 * 1024, max: 64 * 1024 * 1024 * 1024, fallback: 256 * 1024 * 1024 }),
    SHUTDOWN_TIMEOUT_MS: integerVar({ min: 0, max: 600_000, fallback: 10_000 }),
    /** Enables `/admin/*`, each request with `Authorization: Bearer <this>`; unset: no admin routes (404). */
    DDUP_ADMIN_TOKEN: secretVar,
    /** When set, `/metrics` and `/dashboard/stream` need `Authorization: Bearer <this>` (or `?token=`); unset: public. */
    METRICS_TOKEN: secretVar,
    /** Wrong admin tokens one client address may send within a minute; past them, 429 until that minute is over. */
    ADMIN_AUTH_FAILURES_PER_MINUTE: integerVar({ min: 1, max: 1_000_000, fallback: 10 }),
    /** `/dashboard/stream` connections open at once; past it, 503 `too_many_streams` (0: no dashboard stream). */
    DASHBOARD_MAX_STREAMS: integerVar({ min: 0, max: 100_000, fallback: 50 }),
    /** A dashboard stream ends after this long (the page reconnects by itself), so none holds its place for good. */
    DASHBOARD_STREAM_MAX_MS: integerVar({ min: 1_000, max: 86_400_000, fallback: 900_000 }),
    /** The tenants (API keys, windows, key fields, rate limits): see docs/tenants.md. Unset: one open default tenant. */
    TENANTS_FILE: z.string().optional(),
    ...logVariables,
  })
  .superRefine(refineOneRedisTarget)
  .superRefine((config, context) => {
    const largest = Math.max(config.BODY_LIMIT_BYTES, config.BATCH_BODY_LIMIT_BYTES);
    if (config.MAX_INFLIGHT_BODY_BYTES < largest) {
      context.addIssue({
        code: 'custom',
        path: ['MAX_INFLIGHT_BODY_BYTES'],
        message: `must be at least the largest body limit (${largest} bytes), or a body under its limit could never be served`,
      });
    }
  })
  .superRefine((config, context) => {
    if (config.SEED_LEGACY_KEYS && config.REDIS_CLUSTER_NODES !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['SEED_LEGACY_KEYS'],
        message: "works on one Redis node only (the Python service's keys carry no shard hash tag); unset it or use REDIS_URL",
      });
    }
  });

/** The gateway's settings, read from the environment once at start-up. */
export type GatewayConfig = z.output<typeof gatewaySchema> & {
  /** REDIS_CLUSTER_NODES, else REDIS_URL, else redis://127.0.0.1:6379. */
  readonly redis: RedisTarget;
  /** The tenants of TENANTS_FILE, read (and checked) now; undefined without it. */
  readonly tenants: TenantDirectory | undefined;
};

/** Throws a ConfigError naming every bad variable, and every bad tenant and field of TENANTS_FILE. */
export function parseGatewayConfig(env: Readonly<Record<string, string | undefined>>): GatewayConfig {
  const config = parseEnv(gatewaySchema, env);
  const tenants = config.TENANTS_FILE === undefined ? undefined : new TenantDirectory(config.TENANTS_FILE);
  return { ...config, redis: redisTargetOf(config), tenants };
}

/** The gateway's settings from this process's environment, or the message an entry point prints before it exits 2. */
export function loadGatewayConfig() {
  return parseOrExplain('ddup-gateway', () => parseGatewayConfig(process.env));
}
