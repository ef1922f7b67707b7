import { type Logger, onNotReadyWithin } from '@ddup/runtime';
import type { GatewayConfig } from './env.ts';
import type { Gateway } from './gateway.ts';
import { warnAboutExposure } from './http/exposure.ts';
import { announceListening } from './processes/worker-listening.ts';
import { announceAndReloadTenants } from './tenants/tenant-reload.ts';

/**
 * What both entry points (Node and Bun) do once the server listens: announce the tenants (and
 * reread them on SIGHUP), tell a primary this process listens, warn about what is exposed beyond
 * loopback, and stop (`exitForRedis`, exit 2: not restarted) when Redis does not answer within
 * REDIS_CONNECT_TIMEOUT_MS.
 */
export function afterListening(config: GatewayConfig, logger: Logger, gateway: Gateway, exitForRedis: () => void): void {
  announceAndReloadTenants(config.tenants, logger, gateway.metrics);
  announceListening();
  warnAboutExposure(config, logger);
  onNotReadyWithin(gateway.redis, config.REDIS_CONNECT_TIMEOUT_MS, logger, exitForRedis);
}
