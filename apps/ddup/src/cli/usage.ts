/** The command line as the README writes it (`-s`: pnpm prints nothing of its own, so stdout is the CLI's alone). */
const INVOCATION = 'pnpm -s ddup';

/** What a usage error prints after its message: one line, and where the rest is. */
export const SHORT_USAGE = `usage: ${INVOCATION} inspect | lookup | forget | dead-letters list|replay [options] (${INVOCATION} help: the details)`;

/** What `ddup help` and `ddup --help` print. */
export const USAGE = `usage: ${INVOCATION} <command> [options]

  inspect                      streams, group, consumers, dead letters per shard; memory per master
  lookup <hash>                what the dedup index remembers of an event (exit 1: nothing)
  lookup --event FILE          the same, for the event in FILE (- for stdin), hashed as the gateway does
  forget <hash> | --event FILE the index forgets the event: its next copy is accepted (exit 1: nothing to forget)
    [--tenant ID]              lookup/forget in tenant ID's space (needs TENANTS_FILE: its window, key fields, form)
  dead-letters list   [--count N] [--shard N] [--id ID] [--sink ID]
                               the oldest N (100) dead letters per shard; the count on stderr
  dead-letters replay [--count N] [--shard N] [--id ID] [--sink ID]
                               puts them back on their events stream (all unless --count/--id), progress on stderr;
                               --sink: that sink's dead letters, replayed to that sink alone
  accept-reset                 Redis came back without ddup's data: let gateways and consumers write
                               again, with an empty dedup window (exit 1: no reset pending)
  help                         this text

  --json                       machine-readable output (dead-letters list: one JSON object per line)

Results go to stdout, notes and progress to stderr; exit 0, 1 (nothing found) or 2 (usage,
settings, no Redis). Redis: REDIS_CLUSTER_NODES or REDIS_URL, else the embedded Redis of a running \`pnpm start\`
(DDUP_DATA_DIR/redis/url and password). STREAM_SHARDS and INDEX_CAPACITY are read from Redis
(ddup:meta:*); set DEDUP_WINDOW_SECONDS, CANONICAL_FORM and TENANTS_FILE as the gateway has them
(with TENANTS_FILE, inspect counts the tenants' spaces).`;
