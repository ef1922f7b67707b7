import { describeRedisTarget } from '@ddup/config';
import { createLogger, exitStatusOnShutdown } from '@ddup/runtime';
import { loadGatewayConfig } from './env.ts';
import { createGateway, stopGateway } from './gateway.ts';
import { addressInUseMessage, isAddressInUse } from './http/address-in-use.ts';
import { closeGracefully, listen } from './http/node/server.ts';
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
const gateway = createGateway(config, logger, {
  // An evicting Redis, or data written with other settings, would break the dedup window.
  onRefused: (refusal) => {
    logger.error(`cannot run on this Redis: ${refusal.detail}`, { reason: refusal.reason });
    process.exit(2);
  },
});

await untilReadyToServe(gateway.preflight.passed);
const server = await listen(gateway.app, config.PORT, config.HOST, {
  bodyTimeoutMs: config.BODY_TIMEOUT_MS,
  linger: { timeoutMs: config.LINGER_TIMEOUT_MS, maxBytes: config.LINGER_MAX_BYTES },
  maxInflightBodyBytes: config.MAX_INFLIGHT_BODY_BYTES,
}).catch((error: unknown) => {
  // Taken by another process: restarting cannot help (and a launcher waiting for "ready" would
  // hear that other process answer), so one line naming the port and exit 2, never restarted.
  if (isAddressInUse(error)) {
    logger.error(addressInUseMessage(config.PORT, config.HOST));
    process.exit(2);
  }
  logger.error('cannot listen', { port: config.PORT, host: config.HOST, error });
  process.exit(1);
});
logger.info('gateway listening', {
  port: config.PORT,
  host: config.HOST ?? '(all interfaces)',
  redis: describeRedisTarget(config.redis),
  shards: config.STREAM_SHARDS,
  canonicalForm: config.CANONICAL_FORM,
});
afterListening(config, logger, gateway, () => process.exit(2));

const exitStatus = exitStatusOnShutdown(logger, async () => {
  await stopGateway(gateway, () => closeGracefully(server, config.SHUTDOWN_TIMEOUT_MS));
  logger.info('gateway stopped');
});
void exitStatus.then((status) => process.exit(status));
