import { countDeadLetters, deadLetterSummary, findDeadLetters, listDeadLetters, replayAllDeadLetters, replayDeadLettersById } from '@ddup/store';
import { type CliOutput, table } from './output.ts';
import { Progress } from './progress.ts';
import type { CliSession } from './session.ts';

/**
 * Which letters a `dead-letters` command takes: one shard's or all, one id's, at most `count` per
 * shard; the confirm workers' (`ddup:{sNN}:dead`) or, with `sink`, that sink's.
 */
export interface DeadLetterOptions {
  readonly shard?: number;
  readonly sink?: string | undefined;
  readonly id?: string;
  readonly count?: number;
  readonly json: boolean;
}

/** Letters `list` shows per shard unless `--count` says otherwise (as `GET /admin/dead-letters`). */
export const LIST_COUNT = 100;

/** `ddup dead-letters list`: a table (or JSON lines), oldest first, shard by shard; the count on stderr. */
export async function listLetters(session: CliSession, output: CliOutput, options: DeadLetterOptions): Promise<number> {
  const { redis, store } = session;
  const shardCount = store.layout.shardCount;
  const selection = { shard: options.shard, sink: options.sink };
  const letters =
    options.id === undefined
      ? await listDeadLetters(redis, shardCount, options.count ?? LIST_COUNT, selection)
      : await findDeadLetters(redis, shardCount, options.id, selection);
  if (options.json) {
    for (const letter of letters) output.out(`${JSON.stringify(deadLetterSummary(letter))}\n`);
  } else if (letters.length > 0) {
    const rows = letters.map(deadLetterSummary).map((l) => [l.shard, l.id, l.source_id ?? '-', l.deliveries ?? '-', l.hash ?? '-', l.reason ?? '-']);
    output.out(table([['shard', 'id', 'source id', 'deliveries', 'hash', 'reason'], ...rows]));
  }
  const total = await countDeadLetters(redis, shardCount, selection);
  const more = options.id === undefined && total > letters.length ? ` (of ${total}; --count N shows more per shard)` : '';
  output.err(`${letters.length} dead letter(s)${more}\n`);
  return 0;
}

/**
 * `ddup dead-letters replay`: puts letters back on their events stream (each atomically) for the
 * consumers to confirm (a sink's on the sink's replay stream, for that sink alone); progress on stderr, the count on stdout (or `{replayed, ids}` with --json).
 */
export async function replayLetters(session: CliSession, output: CliOutput, options: DeadLetterOptions): Promise<number> {
  const { redis, store } = session;
  let replayed: string[];
  if (options.id !== undefined) {
    replayed = await replayDeadLettersById(redis, store, [options.id], options.shard, options.sink);
  } else {
    const held = await countDeadLetters(redis, store.layout.shardCount, { shard: options.shard, sink: options.sink });
    const shards = options.shard === undefined ? store.layout.shardCount : 1;
    const progress = new Progress(output, 'replayed', Math.min(held, (options.count ?? Number.POSITIVE_INFINITY) * shards));
    replayed = await replayAllDeadLetters(redis, store, { shard: options.shard, limit: options.count, sink: options.sink }, (done) => progress.update(done));
    progress.finish();
  }
  output.out(options.json ? `${JSON.stringify({ replayed: replayed.length, ids: replayed })}\n` : `replayed ${replayed.length} dead letter(s)\n`);
  return 0;
}
