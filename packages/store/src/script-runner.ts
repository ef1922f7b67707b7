import type { RedisArgument } from '@ddup/runtime';
import type { LuaScript } from './scripts.ts';

/** The one thing a script runner needs from a Redis connection (a node-redis client or a cluster adapter). */
export interface RedisCommandSender {
  sendCommand<T = unknown>(args: readonly RedisArgument[]): Promise<T>;
}

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Runs a script with EVALSHA and falls back to EVAL once when the server does not have it cached
 * (after a restart, failover or SCRIPT FLUSH). Concurrent calls stay pipelined.
 */
export async function runScript<T>(redis: RedisCommandSender, script: LuaScript, keys: readonly string[], args: readonly RedisArgument[]): Promise<T> {
  if (keys.length !== script.numberOfKeys) {
    throw new TypeError(`${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  }
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await redis.sendCommand<T>(['EVALSHA', script.sha1, ...tail]);
  } catch (error) {
    if (!isNoScriptError(error)) throw error;
    return redis.sendCommand<T>(['EVAL', script.source, ...tail]);
  }
}
