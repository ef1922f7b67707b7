import { type RedisTarget, describeRedisTarget } from '@ddup/config';
import { type RedisCommands, type RedisConnection, createLogger, createRedisConnection, withCommandTimeout, withTimeout } from '@ddup/runtime';
import { Store, indexLayoutOf, readRecordedLayout } from '@ddup/store';
import type { CliSettings } from './cli-env.ts';
import type { CliSpace } from './tenant-space.ts';

/** How long one command may take; a replay of many letters is many commands. */
const COMMAND_TIMEOUT_MS = 10_000;
/** The connection retries for ever; an operator's command gives up after this. */
const CONNECT_TIMEOUT_MS = 5_000;

/** Redis did not answer in time: not running, or not where the settings say. */
export class UnreachableRedisError extends Error {
  override readonly name = 'UnreachableRedisError';
}

/** The data's layout disagrees with STREAM_SHARDS / INDEX_CAPACITY as given: the CLI would look in the wrong place. */
export class LayoutConflictError extends Error {
  override readonly name = 'LayoutConflictError';
}

/** What every command works with: Redis, and a store laid out as the data in it was written. */
export interface CliSession {
  readonly redis: RedisCommands;
  readonly store: Store;
  /** The Redis reached, password hidden. */
  readonly where: string;
  readonly settings: CliSettings;
}

/**
 * The store for the data in this Redis: the shard count and index capacity it recorded on first
 * start (so `ddup` needs no STREAM_SHARDS to read it), unless STREAM_SHARDS or INDEX_CAPACITY
 * were given and disagree, which is refused. Without a recorded layout, the settings'.
 */
async function storeFor(redis: RedisCommands, settings: CliSettings): Promise<Store> {
  const recorded = await readRecordedLayout(redis);
  const windowSeconds = settings.DEDUP_WINDOW_SECONDS;
  if (recorded === undefined) return new Store({ shardCount: settings.STREAM_SHARDS, indexCapacity: settings.INDEX_CAPACITY, windowSeconds });
  if (settings.layoutGiven.shards && settings.STREAM_SHARDS !== recorded.shardCount) {
    throw new LayoutConflictError(`STREAM_SHARDS=${settings.STREAM_SHARDS}, but this Redis holds data written with STREAM_SHARDS=${recorded.shardCount}`);
  }
  const buckets = (capacity: number) => indexLayoutOf(recorded.shardCount, capacity).bucketsPerShard;
  if (settings.layoutGiven.capacity && buckets(settings.INDEX_CAPACITY) !== buckets(recorded.indexCapacity)) {
    throw new LayoutConflictError(
      `INDEX_CAPACITY=${settings.INDEX_CAPACITY}, but this Redis's index was laid out for INDEX_CAPACITY=${recorded.indexCapacity}`,
    );
  }
  return new Store({ shardCount: recorded.shardCount, indexCapacity: recorded.indexCapacity, windowSeconds });
}

/** The store of `space`: the session's (the default space), or a tenant's, with its window and sliding-window rule. */
export function storeOfSpace(session: CliSession, space: CliSpace): Store {
  const { tenant } = space;
  if (tenant === undefined) return session.store;
  return session.store.forTenant(tenant.id, { windowSeconds: space.windowSeconds, refreshOnDuplicate: tenant.refreshOnDuplicate });
}

/** Connects to `target` (rejecting when it cannot be reached), runs `work`, and disconnects. */
export async function withSession<T>(target: RedisTarget, settings: CliSettings, work: (session: CliSession) => Promise<T>): Promise<T> {
  const connection: RedisConnection = createRedisConnection({
    target,
    name: 'ddup-cli',
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    logger: createLogger('ddup', 'error'),
  });
  const where = describeRedisTarget(target);
  try {
    await withTimeout(connection.connect(), CONNECT_TIMEOUT_MS, 'connect');
  } catch (error) {
    connection.destroy();
    throw new UnreachableRedisError(
      `cannot reach Redis at ${where} within ${CONNECT_TIMEOUT_MS / 1_000} s (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  try {
    const redis = withCommandTimeout(connection, COMMAND_TIMEOUT_MS);
    return await work({ redis, store: await storeFor(redis, settings), where, settings });
  } finally {
    await connection.close();
  }
}
