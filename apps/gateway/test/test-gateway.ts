import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, createLogger } from '@ddup/runtime';
import { eventually } from '@ddup/test-utils';
import { parseGatewayConfig } from '../src/env.ts';
import { type Gateway, createGateway, stopGateway } from '../src/gateway.ts';
import { closeGracefully, listen } from '../src/http/node/server.ts';

/** A gateway built from `env` exactly as main.ts builds it, resolved once it has checked its Redis (and may write). */
export async function startTestGateway(env: Record<string, string>, logger: Logger = createLogger('test', 'error')): Promise<Gateway> {
  const gateway = createGateway(parseGatewayConfig(env), logger);
  await eventually('gateway checked its Redis', () => gateway.preflight.hasPassed);
  return gateway;
}

/** Stops the gateway as main.ts does (see stopGateway); safe when it never started or is already stopped. */
export async function stopTestGateway(gateway: Gateway | undefined): Promise<void> {
  if (gateway) await stopGateway(gateway);
}

/** The gateways a test file serves over real HTTP on free ports; `closeAll()` stops them (in afterAll). */
export class ServedGateways {
  readonly #running: { gateway: Gateway; server: Server }[] = [];

  /** Serves `gateway` on 127.0.0.1 and resolves with its base URL (`http://127.0.0.1:<port>`). */
  async serve(gateway: Gateway): Promise<string> {
    const server = await listen(gateway.app, 0, '127.0.0.1');
    this.#running.push({ gateway, server });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async closeAll(): Promise<void> {
    for (const { gateway, server } of this.#running.splice(0)) {
      await closeGracefully(server, 1_000);
      await stopTestGateway(gateway);
    }
  }
}
