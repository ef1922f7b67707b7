import { fileURLToPath } from 'node:url';
import { freePort } from '@ddup/redis-process';
import { startService } from '@ddup/test-utils';

const GATEWAY_ENTRY = fileURLToPath(new URL('../../apps/gateway/src/main.ts', import.meta.url));

export interface GatewayProcess {
  readonly baseUrl: string;
  /** SIGTERM and wait for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

async function isReady(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/readyz`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts apps/gateway as a Node process and resolves once GET /readyz answers 200. */
export async function startGateway(redisUrl: string, env: Record<string, string>, timeoutMs = 30_000): Promise<GatewayProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = startService(GATEWAY_ENTRY, {
    REDIS_URL: redisUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    STREAM_SHARDS: '1',
    ...env,
  });
  let exited = false;
  void service.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (!(await isReady(baseUrl))) {
    if (exited || Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(`gateway did not become ready on ${baseUrl}; output:\n${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { baseUrl, stop: () => service.stop('SIGTERM') };
}
