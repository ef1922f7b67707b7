import type { Hono } from 'hono';
import { type OnRefused, RedisPreflight, logRefusal, warnIfShardsMissMasters } from '@ddup/redis-checks';
import { type Logger, type RedisConnection, createRedisConnection, withCommandTimeout } from '@ddup/runtime';
import { Store, indexLayoutOf } from '@ddup/store';
import { warnUnlessFsyncAlways } from './admission/durability-check.ts';
import { OutOfMemoryReplies, redisHealthCheck } from './admission/redis-health.ts';
import type { AdmissionSettings } from './admission/replication.ts';
import type { AdminDependencies } from './routes/admin/admin-routes.ts';
import { type GatewayDependencies, createGatewayApp } from './app.ts';
import type { GatewayConfig } from './env.ts';
import { listensOnLoopbackOnly, loopbackHostNames } from './http/exposure.ts';
import { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { MetricsView } from './metrics/metrics-view.ts';
import { registerStoreGauges } from './metrics/store-gauges.ts';
import { initTenantSeries } from './metrics/tenant-series.ts';
import { StoreSnapshots } from './metrics/store-snapshot.ts';
import { DEFAULT_SPACE } from './admission/dedup-space.ts';
import { DedupSpaces } from './tenants/dedup-spaces.ts';
import { DashboardFeed } from './routes/dashboard/dashboard-feed.ts';
import { dashboardSettingsOf } from './routes/dashboard/dashboard-settings.ts';

export interface Gateway {
  readonly app: Hono;
  readonly redis: RedisConnection;
  /** Checks Redis before anything is written (`passed`) and watches its memory for /readyz; stop it on shutdown. */
  readonly preflight: RedisPreflight;
  /** The dedup spaces: the tenants of TENANTS_FILE (reloaded by main.ts on SIGHUP), or the default space. */
  readonly spaces: DedupSpaces;
  /** The dashboard's figures; close it first on shutdown, so open dashboards do not hold the server's graceful close. */
  readonly dashboard: DashboardFeed;
  /** What /metrics serves; a tenant added by a reload gets its series at 0 through `initTenant`. */
  readonly metrics: GatewayMetrics;
}

/** What the gateway's entry point decides for it. */
export interface GatewayHooks {
  /**
   * The Redis reached cannot keep the dedup window (it may evict, or its data has another layout):
   * the gateway must not serve on it. main.ts logs and exits 2; the default only logs.
   */
  readonly onRefused?: OnRefused;
}

/** What the admin routes read and change: the store, through the gateway's Redis commands. */
export type AdminPorts = Omit<AdminDependencies, 'token' | 'logger' | 'failuresPerMinute'>;

/** What the app takes from the settings alone, whatever admits its events (Redis here, memory in bench:ladder). */
export type AppSettings = Pick<GatewayDependencies, 'bodyLimitBytes' | 'batch' | 'metricsToken' | 'browserGuard'>;

/** The app's settings from the gateway's validated config. */
export function appSettingsOf(config: GatewayConfig): AppSettings {
  return {
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    batch: {
      bodyLimitBytes: config.BATCH_BODY_LIMIT_BYTES,
      eventLimitBytes: config.BODY_LIMIT_BYTES,
      maxEvents: config.BATCH_MAX_EVENTS,
    },
    metricsToken: config.METRICS_TOKEN,
    browserGuard: {
      hostNames: config.HOST !== undefined && listensOnLoopbackOnly(config.HOST) ? loopbackHostNames(config.HOST) : undefined,
      sameOriginWrites: config.tenants === undefined,
    },
  };
}

/**
 * Stops what a gateway holds, in order: open dashboards first (each holds a stream, which would
 * keep `closeServer` waiting its whole timeout), then the server, then the preflight's timers and
 * the Redis connection. Both entry points and the tests stop a gateway this way.
 */
export async function stopGateway(gateway: Gateway, closeServer: () => Promise<void> = async () => undefined): Promise<void> {
  gateway.dashboard.close();
  await closeServer();
  gateway.preflight.stop();
  await gateway.redis.close().catch(() => undefined);
}

/** Wires the app to its Redis connection (connecting in the background) from validated settings. */
export function createGateway(config: GatewayConfig, logger: Logger, hooks: GatewayHooks = {}): Gateway {
  const redis = createRedisConnection({
    target: config.redis,
    name: 'ddup-gateway',
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  });
  redis.connectInBackground();
  // WAIT may take up to its own timeout on top of the ordinary command time.
  const waitMs = config.DURABILITY === 'wait' ? config.DURABILITY_WAIT_TIMEOUT_MS : 0;
  const commands = withCommandTimeout(redis, config.REDIS_COMMAND_TIMEOUT_MS + waitMs);
  if (config.DURABILITY === 'fsync') redis.onReady(() => void warnUnlessFsyncAlways(commands, logger));
  const store = new Store({
    shardCount: config.STREAM_SHARDS,
    indexCapacity: config.INDEX_CAPACITY,
    windowSeconds: config.DEDUP_WINDOW_SECONDS,
    legacyKeys: config.SEED_LEGACY_KEYS,
  });
  const onRefused: OnRefused = hooks.onRefused ?? logRefusal(logger);
  const metrics = new GatewayMetrics();
  const preflight = new RedisPreflight(redis, commands, store, logger, {
    onRefused,
    allowReset: config.ALLOW_REDIS_RESET,
    onReset: () => metrics.countRedisReset(),
  });
  // What writes (admissions, the admin routes) waits for the preflight; reads for metrics do not.
  const writes = preflight.gate(commands);
  if (config.redis.kind === 'cluster') redis.onReady(() => void warnIfShardsMissMasters(commands, config.STREAM_SHARDS, logger));
  const admission: AdmissionSettings = {
    ...(config.DURABILITY === 'wait' ? { waitForReplicas: { replicas: config.DURABILITY_WAIT_REPLICAS, timeoutMs: config.DURABILITY_WAIT_TIMEOUT_MS } } : {}),
  };
  const spaces = new DedupSpaces(
    { redis: writes, store, admission, canonicalForm: config.CANONICAL_FORM, batchConcurrency: config.BATCH_ADMISSION_CONCURRENCY },
    config.tenants,
  );
  const snapshots = new StoreSnapshots(commands, {
    layout: indexLayoutOf(config.STREAM_SHARDS, config.INDEX_CAPACITY),
    spaces: () => spaces.rememberedSpaces(),
  });
  registerStoreGauges(metrics.registry, snapshots);
  initTenantSeries(
    metrics,
    (config.tenants?.tenants ?? [{ id: DEFAULT_SPACE }]).map((tenant) => tenant.id),
  );
  const outOfMemory = new OutOfMemoryReplies();
  const metricsView = new MetricsView(metrics);
  const dashboard = new DashboardFeed({ metrics: metricsView, snapshots }).start();
  const admin: AdminPorts = { redis: writes, store, storeOf: (tenant) => spaces.storeOf(tenant), tenantRequired: spaces.authenticated };
  const app = createGatewayApp({
    ...appSettingsOf(config),
    spaces,
    checkRedis: redisHealthCheck(redis, preflight, outOfMemory),
    outOfMemory,
    logger,
    metrics,
    metricsView,
    dashboard: {
      settings: dashboardSettingsOf(config),
      feed: dashboard,
      streamLimits: { maxStreams: config.DASHBOARD_MAX_STREAMS, maxStreamMs: config.DASHBOARD_STREAM_MAX_MS },
    },
    ...(config.DDUP_ADMIN_TOKEN !== undefined
      ? { admin: { ...admin, token: config.DDUP_ADMIN_TOKEN, failuresPerMinute: config.ADMIN_AUTH_FAILURES_PER_MINUTE } }
      : {}),
  });
  return { app, redis, preflight, spaces, dashboard, metrics };
}
