import { fileURLToPath } from 'node:url';
import { findBunBinary, freePort } from '@ddup/redis-process';
import { inheritedEnvironment } from './env.ts';
import { eventually } from './http.ts';
import { type ServiceProcess, startProcess, startService } from './service-process.ts';

const NODE_ENTRY = fileURLToPath(new URL('../../../apps/gateway/src/main.ts', import.meta.url));
const BUN_ENTRY = fileURLToPath(new URL('../../../apps/gateway/src/main-bun.ts', import.meta.url));

/** The gateway as its own process (`node apps/gateway/src/main.ts`, or main-bun.ts under Bun), as it runs in production. */
export interface GatewayProcess {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  readonly service: ServiceProcess;
}

export interface GatewayProcessOptions {
  /** `bun` runs main-bun.ts with `bun` (default: the Bun binary installed from npm). */
  readonly runtime?: 'node' | 'bun';
  readonly bun?: string;
  /** How long it may take to answer GET /readyz with 200 (default 30 s). */
  readonly readyTimeoutMs?: number;
}

/** The Bun binary from npm, or an error saying how to install it. */
export function requireBunBinary(): string {
  const found = findBunBinary(BUN_ENTRY);
  if (found === undefined) {
    throw new Error(
      'Bun was not found: it is a devDependency of @ddup/gateway (npm package "bun", binary in ' +
        '@oven/bun-<platform>); run `npx pnpm@10.34.9 install` at the repository root',
    );
  }
  return found;
}

/**
 * Starts the gateway on a free port (or `env.PORT`) with `env` (give it REDIS_URL) over this
 * environment; resolves once GET /readyz answers 200 (it listens and its Redis answers), rejects
 * with its output if it exits or is not ready in time (and kills it).
 */
export async function startGatewayProcess(env: Record<string, string>, options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const url = `http://127.0.0.1:${port}`;
  const settings = { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env };
  const service =
    options.runtime === 'bun'
      ? startProcess(options.bun ?? requireBunBinary(), [BUN_ENTRY], { env: inheritedEnvironment(settings) })
      : startService(NODE_ENTRY, settings);
  let exited = false;
  void service.exited.then(() => (exited = true));
  try {
    await eventually(
      'GET /readyz → 200',
      async () => {
        if (exited) throw new Error('the gateway exited before it was ready');
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        await response?.arrayBuffer();
        return response?.status === 200;
      },
      options.readyTimeoutMs ?? 30_000,
    );
  } catch (error) {
    await service.stop('SIGKILL');
    throw new Error(`${String(error)}\noutput:\n${service.output()}`);
  }
  return { port, url, pid: service.pid, service };
}
