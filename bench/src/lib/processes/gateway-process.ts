import { fileURLToPath } from 'node:url';
import { GATEWAY_BUN_ENTRY } from './bun-runtime.ts';
import { type HttpService, startHttpService } from './http-service.ts';
import { NODE_RUNTIME, type Runtime } from './runtimes.ts';

const GATEWAY_NODE_ENTRY = fileURLToPath(new URL('../../../../apps/gateway/src/main.ts', import.meta.url));

export type GatewayProcess = HttpService;

export interface GatewayOptions {
  /** Node (default: apps/gateway/src/main.ts) or Bun (apps/gateway/src/main-bun.ts). */
  readonly runtime?: Runtime;
  /** Node only: where to write a V8 CPU profile of the gateway when it stops. */
  readonly cpuProfileDir?: string | undefined;
  readonly timeoutMs?: number;
}

/** A Redis URL, or the variables that name a Redis (REDIS_CLUSTER_NODES for a cluster). */
export type RedisLocation = string | Readonly<Record<string, string>>;

export function redisVariablesOf(redis: RedisLocation): Readonly<Record<string, string>> {
  return typeof redis === 'string' ? { REDIS_URL: redis } : redis;
}

/**
 * Starts apps/gateway (STREAM_SHARDS=1, LOG_LEVEL=warn unless `env` says otherwise) and resolves
 * once GET /readyz answers 200, i.e. once it reaches Redis.
 */
export function startGateway(redis: RedisLocation, env: Record<string, string>, options: GatewayOptions = {}): Promise<GatewayProcess> {
  const runtime = options.runtime ?? NODE_RUNTIME;
  const entry = runtime.name === 'bun' ? GATEWAY_BUN_ENTRY : GATEWAY_NODE_ENTRY;
  return startHttpService(
    runtime,
    entry,
    { LOG_LEVEL: 'warn', STREAM_SHARDS: '1', ...redisVariablesOf(redis), ...env },
    { cpuProfileDir: options.cpuProfileDir, timeoutMs: options.timeoutMs ?? 30_000 },
  );
}
