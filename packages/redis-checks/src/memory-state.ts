import type { RedisCommands } from '@ddup/runtime';

/** What `INFO memory` says of one server: its eviction policy, and how close it is to its limit. */
export interface RedisMemoryState {
  readonly policy: string;
  readonly usedBytes: number;
  /** `maxmemory`; 0 means no limit. */
  readonly maxBytes: number;
  /** AOF and replication buffers, which Redis leaves out when it compares used memory with the limit. */
  readonly notCountedBytes: number;
}

/** Why Redis cannot keep ddup's promises right now. */
export interface RedisMemoryProblem {
  /** `eviction_policy`: it may forget remembered events; `out_of_memory`: it refuses writes. */
  readonly reason: 'eviction_policy' | 'out_of_memory';
  readonly detail: string;
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

export function parseMemoryInfo(info: string): RedisMemoryState {
  return {
    policy: field(info, 'maxmemory_policy') ?? 'unknown',
    usedBytes: Number(field(info, 'used_memory') ?? 0),
    maxBytes: Number(field(info, 'maxmemory') ?? 0),
    notCountedBytes: Number(field(info, 'mem_not_counted_for_evict') ?? 0),
  };
}

/** `INFO memory` of every master (one on a single node); INFO works where CONFIG is disabled. */
export async function readMemoryStates(redis: RedisCommands): Promise<RedisMemoryState[]> {
  const replies = await redis.sendToEachMaster<string>(['INFO', 'memory']);
  return replies.map((reply) => parseMemoryInfo(String(reply)));
}

/**
 * Anything but `noeviction` can evict the index (every bucket carries a TTL, so `volatile-*`
 * policies too) and even the events stream: duplicates would silently be accepted again.
 */
export function evictionProblemOf(state: RedisMemoryState): RedisMemoryProblem | undefined {
  if (state.policy === 'noeviction') return undefined;
  return {
    reason: 'eviction_policy',
    detail:
      `maxmemory-policy is "${state.policy}": this Redis may evict remembered events (their duplicates would be ` +
      'accepted again) and the events stream itself. ddup needs maxmemory-policy noeviction: run ' +
      '`redis-cli CONFIG SET maxmemory-policy noeviction` and set it in redis.conf so that it survives a restart',
  };
}

/** With `noeviction`, Redis refuses writes once the memory it counts passes `maxmemory`. */
export function outOfMemoryProblemOf(state: RedisMemoryState): RedisMemoryProblem | undefined {
  if (state.maxBytes <= 0 || state.usedBytes - state.notCountedBytes <= state.maxBytes) return undefined;
  return {
    reason: 'out_of_memory',
    detail:
      `Redis is out of memory (used_memory ${state.usedBytes} of maxmemory ${state.maxBytes}) and refuses writes: ` +
      'nothing can be admitted or confirmed until memory is freed or maxmemory raised',
  };
}

/** The first problem of any master: eviction first, since it breaks deduplication silently. */
export function memoryProblemOf(states: readonly RedisMemoryState[]): RedisMemoryProblem | undefined {
  for (const check of [evictionProblemOf, outOfMemoryProblemOf]) {
    for (const state of states) {
      const problem = check(state);
      if (problem) return problem;
    }
  }
  return undefined;
}
