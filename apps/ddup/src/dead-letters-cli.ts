import { parseArgs } from 'node:util';
import { listDeadLetters, replayDeadLetters } from '@ddup/consumer';
import { redisTargetOf } from '@ddup/config';
import { createLogger, createRedisConnection } from '@ddup/runtime';
import { Store } from '@ddup/store';
import { readEmbeddedUrl } from './embedded-url.ts';
import { loadDeadLettersConfig } from './dead-letters-env.ts';

const USAGE = `usage: pnpm dead-letters list   [--count N] [--shard N]
       pnpm dead-letters replay [--count N] [--shard N] [--id ID]

list    prints dead letters as JSON lines: shard, id, source_id, reason, deliveries, hash, event
replay  puts them back on their events stream (atomically, one by one) and deletes them

Redis: REDIS_CLUSTER_NODES or REDIS_URL, else the embedded Redis of a running \`pnpm start\` (port in DDUP_DATA_DIR/redis/url, password in DDUP_DATA_DIR/redis/password).`;

function fail(message: string): never {
  process.stderr.write(`ddup dead-letters: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string' }, shard: { type: 'string' }, id: { type: 'string' }, help: { type: 'boolean' } },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const command = positionals[0];
if (command !== 'list' && command !== 'replay') fail('expected "list" or "replay"');

const loaded = loadDeadLettersConfig(values.count);
if ('failure' in loaded) {
  process.stderr.write(loaded.failure);
  process.exit(2);
}
const config = loaded.config;
const configured = config.REDIS_URL !== undefined || config.REDIS_CLUSTER_NODES !== undefined;
/** The running `pnpm start`'s embedded Redis: its port (url file) and password, both in DDUP_DATA_DIR/redis. */
function embeddedRedisUrl(): string | undefined {
  try {
    return readEmbeddedUrl(config.DDUP_DATA_DIR);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}
const embeddedUrl = configured ? undefined : embeddedRedisUrl();
if (!configured && !embeddedUrl) fail(`no REDIS_URL or REDIS_CLUSTER_NODES, and no running embedded Redis under ${config.DDUP_DATA_DIR}`);
const target = redisTargetOf({ ...config, REDIS_URL: config.REDIS_URL ?? embeddedUrl });
const shard = values.shard === undefined ? undefined : Number(values.shard);
if (shard !== undefined && !(Number.isInteger(shard) && shard >= 0 && shard < config.STREAM_SHARDS)) {
  fail(`--shard must be from 0 to ${config.STREAM_SHARDS - 1}`);
}

const redis = createRedisConnection({ target, name: 'ddup-dead-letters', commandTimeoutMs: 5_000, logger: createLogger('dead-letters', 'error') });
await redis.connect();
try {
  let letters = await listDeadLetters(redis, config.STREAM_SHARDS, config.DEAD_LETTER_COUNT);
  if (shard !== undefined) letters = letters.filter((letter) => letter.shard === shard);
  if (values.id !== undefined) letters = letters.filter((letter) => letter.id === values.id);
  if (command === 'list') {
    for (const letter of letters) process.stdout.write(`${JSON.stringify({ shard: letter.shard, id: letter.id, ...letter.fields })}\n`);
    process.stderr.write(`${letters.length} dead letter(s)\n`);
  } else {
    const store = new Store({ shardCount: config.STREAM_SHARDS, indexCapacity: config.INDEX_CAPACITY, windowSeconds: config.DEDUP_WINDOW_SECONDS });
    const replayed = await replayDeadLetters(redis, store, letters);
    process.stdout.write(`replayed ${replayed.length} dead letter(s)\n`);
  }
} finally {
  await redis.close();
}
