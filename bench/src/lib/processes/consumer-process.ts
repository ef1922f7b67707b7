import { fileURLToPath } from 'node:url';
import type { RunningProcess } from './command-process.ts';
import { type RedisLocation, redisVariablesOf } from './gateway-process.ts';
import { launchEntry } from './launch.ts';
import { NODE_RUNTIME } from './runtimes.ts';

const CONSUMER_ENTRY = fileURLToPath(new URL('../../../../apps/consumer/src/main.ts', import.meta.url));

/**
 * Starts one consumer process (apps/consumer/src/main.ts, on Node, its pool at the default
 * CONSUMER_CONCURRENCY unless `env` says otherwise). It creates the group at id 0 if missing, so
 * it also confirms entries added before it started.
 */
export function startConsumer(redis: RedisLocation, env: Record<string, string> = {}, cpuProfileDir?: string): RunningProcess {
  return launchEntry(NODE_RUNTIME, CONSUMER_ENTRY, { LOG_LEVEL: 'warn', STREAM_SHARDS: '1', ...redisVariablesOf(redis), ...env }, { cpuProfileDir });
}
