/**
 * The gateway under Bun: `bun apps/gateway/src/main-bun.ts` (or `pnpm --filter @ddup/gateway
 * start:bun`). Same settings, same Hono app and Redis connection as main.ts, served by `Bun.serve`.
 */
import cluster from 'node:cluster';
import { describeRedisTarget } from '@ddup/config';
import { createLogger, exitStatusOnShutdown } from '@ddup/runtime';
import { withRequestDeadline } from './http/bun/deadline.ts';
import { withBodyDrainedBeforeAnswer } from './http/bun/drain.ts';
import { type BunServer, bunIdleTimeoutSeconds, BUN_MAX_REQUEST_BODY_SIZE, bunRuntime, stopGracefully } from './http/bun/server.ts';
import { BodyBudget, withBodyBudget } from './http/body-budget.ts';
import { addressInUseMessage, isAddressInUse } from './http/address-in-use.ts';
import { loadGatewayConfig } from './env.ts';
import { createGateway, stopGateway } from './gateway.ts';
import { superviseIfPrimary } from './processes/gateway-primary.ts';
import { afterListening } from './serving.ts';
import { untilReadyToServe } from './processes/ready-to-serve.ts';

const loaded = loadGatewayConfig();
if ('failure' in loaded) {
  process.stderr.write(loaded.failure);
  process.exit(2);
}
const config = loaded.config;
const logger = createLogger('gateway', config.LOG_LEVEL, config.LOG_FORMAT);
// GATEWAY_PROCESSES > 1: the first process only forks and supervises the gateway processes.
const primaryStatus = await superviseIfPrimary(config, logger);
if (primaryStatus !== undefined) process.exit(primaryStatus);
const bun = bunRuntime();
const gateway = createGateway(config, logger, {
  // An evicting Redis, or data written with other settings, would break the dedup window.
  onRefused: (refusal) => {
    logger.error(`cannot run on this Redis: ${refusal.detail}`, { reason: refusal.reason });
    process.exit(2);
  },
});

const longestHandlerMs = config.REDIS_COMMAND_TIMEOUT_MS + (config.DURABILITY === 'wait' ? config.DURABILITY_WAIT_TIMEOUT_MS : 0);

await untilReadyToServe(gateway.preflight.passed);
let server: BunServer;
try {
  server = bun.serve({
    port: config.PORT,
    ...(config.HOST ? { hostname: config.HOST } : {}),
    // Several gateway processes on one port: the kernel spreads connections over them (SO_REUSEPORT).
    ...(cluster.isWorker ? { reusePort: true } : {}),
    fetch: withRequestDeadline(
      withBodyDrainedBeforeAnswer(
        // The server as the app's env: it tells a request's peer (the admin token throttle counts per address).
        withBodyBudget((request: Request) => gateway.app.fetch(request, server), new BodyBudget(config.MAX_INFLIGHT_BODY_BYTES)),
        { timeoutMs: config.LINGER_TIMEOUT_MS, maxBytes: config.LINGER_MAX_BYTES },
      ),
      config.BODY_TIMEOUT_MS,
    ),
    maxRequestBodySize: BUN_MAX_REQUEST_BODY_SIZE,
    idleTimeout: bunIdleTimeoutSeconds({ bodyTimeoutMs: config.BODY_TIMEOUT_MS, longestHandlerMs }),
  });
} catch (error) {
  if (isAddressInUse(error)) {
    logger.error(addressInUseMessage(config.PORT, config.HOST));
    process.exit(2);
  }
  logger.error('cannot listen', { port: config.PORT, host: config.HOST, error });
  process.exit(1);
}

logger.info('gateway listening', {
  port: server.port,
  host: config.HOST ?? '(all interfaces)',
  runtime: 'bun',
  bunVersion: bun.version,
  redis: describeRedisTarget(config.redis),
  shards: config.STREAM_SHARDS,
  canonicalForm: config.CANONICAL_FORM,
});
afterListening(config, logger, gateway, () => process.exit(2));

const exitStatus = exitStatusOnShutdown(logger, async () => {
  await stopGateway(gateway, () => stopGracefully(server, config.SHUTDOWN_TIMEOUT_MS));
  logger.info('gateway stopped');
});
void exitStatus.then((status) => process.exit(status));
