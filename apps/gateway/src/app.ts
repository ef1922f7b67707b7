import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { type Logger, isOutOfMemoryReply, isRedisUnavailable, unavailableReasonOf } from '@ddup/runtime';
import type { OutOfMemoryReplies, RedisHealthProblem } from './admission/redis-health.ts';
import { ApiError, errorResponse, redisUnavailable } from './errors.ts';
import { type BrowserGuardSettings, guardBrowserRequests } from './http/browser-guard.ts';
import { refuseUnmetExpectations } from './http/expectation.ts';
import { presentsToken, requireBearerToken } from './routes/admin/bearer-token.ts';
import { docsRoutes } from './openapi/docs-routes.ts';
import { openApiRoutes } from './openapi/openapi-routes.ts';
import { type AdminDependencies, adminRoutes } from './routes/admin/admin-routes.ts';
import { type BatchDependencies, batchRoutes } from './routes/batch/batch-routes.ts';
import { type DashboardDependencies, dashboardRoutes } from './routes/dashboard/dashboard-routes.ts';
import { type EventRouteDependencies, eventRoutes } from './routes/events/event-routes.ts';
import { healthRoutes, serviceTestRoutes } from './routes/health/health-routes.ts';
import { metricsRoutes } from './routes/metrics/metrics-routes.ts';
import { countEvents } from './metrics/count-events.ts';
import type { GatewayMetrics } from './metrics/gateway-metrics.ts';
import { MetricsView } from './metrics/metrics-view.ts';
import { authenticate } from './tenants/authenticate.ts';
import type { SpaceResolver } from './tenants/dedup-spaces.ts';

export const API_PREFIX = '/api/v1/ddup_service';

export interface GatewayDependencies extends EventRouteDependencies {
  /** Why Redis cannot serve admissions now (/readyz), or undefined when it can. */
  readonly checkRedis: () => Promise<RedisHealthProblem | undefined>;
  /** Where OOM refusals are noted, so that /readyz says `out_of_memory` whenever admissions get it. */
  readonly outOfMemory?: OutOfMemoryReplies;
  readonly logger: Logger;
  /** `POST /events/batch` (see routes/batch/batch-routes.ts). */
  readonly batch: BatchDependencies;
  /** Counted on the event routes, served at `GET /metrics` (with the store gauges registered on it). */
  readonly metrics: GatewayMetrics;
  /** What `GET /metrics` serves: every gateway process's metrics added up; by default this process's. */
  readonly metricsView?: MetricsView;
  /** Where each event request is deduplicated: its tenant's space (by API key), or the default space. */
  readonly spaces: SpaceResolver;
  /** `/admin/*` (see routes/admin/admin-routes.ts); none when `DDUP_ADMIN_TOKEN` is unset, so those paths are 404. */
  readonly admin?: Omit<AdminDependencies, 'logger'>;
  /** The browser guards in force (see http/browser-guard.ts); absent: none. */
  readonly browserGuard?: BrowserGuardSettings;
  /** `METRICS_TOKEN`: the bearer token `/metrics` and the dashboard's stream then need; absent: they are public. */
  readonly metricsToken?: string | undefined;
  /** `GET /dashboard` (see routes/dashboard/dashboard-routes.ts); absent: no dashboard. */
  readonly dashboard?: Pick<DashboardDependencies, 'settings' | 'feed' | 'streamLimits'>;
}

/** The gateway as a Hono app: its route groups, and the one place errors become HTTP answers. */
export function createGatewayApp(deps: GatewayDependencies): Hono {
  const app = new Hono();
  const guard = deps.browserGuard && guardBrowserRequests(deps.browserGuard);
  if (guard) app.use(guard);
  app.use(refuseUnmetExpectations());
  if (deps.metricsToken !== undefined) {
    // EventSource cannot set a header: the dashboard page passes the token as ?token=.
    const readers = requireBearerToken(deps.metricsToken, { logger: deps.logger, routes: 'metrics', queryParameter: 'token' });
    app.use('/metrics', readers);
    app.use('/dashboard/stream', readers);
  }

  const api = new Hono();
  // Counting first, so that a 401 is counted too; then the tenant, before any body is read.
  api.use('/events', countEvents(deps.metrics, 'single'), authenticate(deps.spaces));
  api.use('/events/batch', countEvents(deps.metrics, 'batch'), authenticate(deps.spaces));
  api.route('/test', serviceTestRoutes());
  api.route('/events', eventRoutes(deps));
  api.route('/events/batch', batchRoutes(deps.batch));
  app.route(API_PREFIX, api);
  app.route('/', healthRoutes(deps.checkRedis));
  app.route('/metrics', metricsRoutes(deps.metricsView ?? new MetricsView(deps.metrics)));
  app.route('/', openApiRoutes(API_PREFIX));
  app.route('/docs', docsRoutes());
  if (deps.admin) app.route('/admin', adminRoutes({ ...deps.admin, logger: deps.logger }));
  if (deps.dashboard) {
    const token = deps.metricsToken;
    app.route(
      '/dashboard',
      dashboardRoutes({
        ...deps.dashboard,
        adminEnabled: deps.admin !== undefined,
        logger: deps.logger,
        ...(token === undefined ? {} : { showsFigures: (c: Context) => presentsToken(c, token, 'token') }),
      }),
    );
  }

  app.notFound((c) => c.json({ detail: 'Not Found', code: 'not_found' }, 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(error);
    if (isOutOfMemoryReply(error)) deps.outOfMemory?.note();
    if (isRedisUnavailable(error)) return errorResponse(redisUnavailable(unavailableReasonOf(error)));
    if (error instanceof HTTPException) {
      return c.json({ detail: error.message || 'HTTP error' }, error.status);
    }
    deps.logger.error('unhandled error', { error: error.stack ?? String(error), path: c.req.path });
    return c.json({ detail: 'Internal Server Error', code: 'internal' }, 500);
  });

  return app;
}
