import { type Logger, createLogger } from '@ddup/runtime';
import { eventually } from '@ddup/test-utils';
import { parseGatewayConfig } from '../src/env.ts';
import { type Gateway, createGateway } from '../src/gateway.ts';

/** A gateway built from `env` exactly as main.ts builds it, resolved once its Redis connection is ready. */
export async function startTestGateway(env: Record<string, string>, logger: Logger = createLogger('test', 'error')): Promise<Gateway> {
  const gateway = createGateway(parseGatewayConfig(env), logger);
  await eventually('gateway connected', () => gateway.redis.isReady);
  return gateway;
}

/** Closes the gateway's Redis connection; safe when it never started or is already closed. */
export async function stopTestGateway(gateway: Gateway | undefined): Promise<void> {
  await gateway?.redis.close().catch(() => undefined);
}
