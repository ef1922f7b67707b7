import { type Context, Hono } from 'hono';
import { sha256Hex } from '@ddup/hashing';
import { validationError } from '../../errors.ts';
import { readBodyBytes } from '../../http/read-body.ts';
import { decodeUtf8Body } from '../../http/utf8-body.ts';
import { batchFormat } from './batch-format.ts';
import { tooManyEventsProblem } from './batch-problems.ts';
import { admittedResultOf } from '../admitted-result.ts';
import { batchAnswer } from './batch-results.ts';
import { splitJsonBatch } from './json-array-body.ts';
import { type BatchSource, readBatch } from './read-batch.ts';
import { splitNdjson } from './split-ndjson.ts';
import type { EventMetricsEnv } from '../../metrics/count-events.ts';
import type { SpaceEnv } from '../../tenants/authenticate.ts';
import { checkIdempotencyKey, enforceRateLimit, idempotencyKeyOf } from '../../tenants/request-guards.ts';

type BatchEnv = { Variables: SpaceEnv['Variables'] & EventMetricsEnv['Variables'] };

export interface BatchDependencies {
  /** `BATCH_BODY_LIMIT_BYTES`: larger bodies get 413. */
  readonly bodyLimitBytes: number;
  /** `BODY_LIMIT_BYTES`: a larger item is invalid (and not parsed). */
  readonly eventLimitBytes: number;
  /** `BATCH_MAX_EVENTS`: more items are a 422 `too_long`. */
  readonly maxEvents: number;
}

/** The body's items as texts, or the 422 for the whole body. */
function batchSource(text: string, contentType: string | undefined, deps: BatchDependencies): BatchSource {
  if (batchFormat(contentType) === 'json') return splitJsonBatch(text, deps);
  const lines = splitNdjson(text, deps.maxEvents);
  if (lines.count > deps.maxEvents) throw validationError([tooManyEventsProblem(deps.maxEvents, lines.count)]);
  return lines;
}

/**
 * `POST /events/batch`: a JSON array (or NDJSON) of events, answered 200 with one result per item in
 * order: `accepted` (id, hash), `duplicate` (hash, state) or `invalid` (FastAPI-style detail).
 * The body is read once, each item parsed once, and the valid events admitted with one script call
 * per shard. Redis failing fails the whole request (503): no answer claims an event it did not store.
 */
export function batchEventsHandler(deps: BatchDependencies) {
  return async function postBatch(c: Context<BatchEnv>): Promise<Response> {
    const space = c.get('space');
    const idempotencyKey = idempotencyKeyOf(c.req.header('idempotency-key'));
    // Not kept in a variable: once decoded, the bytes can go (a 16 MiB batch is held as its text).
    const text = decodeUtf8Body(await readBodyBytes(c.req.raw, deps.bodyLimitBytes));
    const options = { ...deps, canonicalForm: space.canonicalForm, keyFields: space.keyFields };
    const read = await readBatch(text, batchSource(text, c.req.header('content-type'), deps), options);
    // Counted item by item (metrics/count-events.ts) even if the batch is now refused whole.
    c.set('batchItems', read.results.length);
    // Each valid event takes a token (one at least); a batch over the limit is refused whole (nothing stored).
    await enforceRateLimit(space, read.events.length);
    // The batch's content is its body as sent: the same body again is the same request. A batch
    // with nothing to admit records no key (it would hold Redis memory for the window for nothing).
    if (idempotencyKey !== undefined && read.events.length > 0) await checkIdempotencyKey(space, idempotencyKey, sha256Hex(text));
    if (read.events.length > 0) {
      const admitted = await space.admitBatch(read.events);
      for (let k = 0; k < admitted.length; k++) {
        const admission = admitted[k];
        if (admission !== undefined) read.results[read.positions[k] ?? 0] = admittedResultOf(admission);
      }
    }
    const answer = batchAnswer(read.results);
    // For the metrics middleware (metrics/count-events.ts), which counts each item's outcome.
    c.set('batchAnswer', answer);
    return c.json(answer, 200);
  };
}

/** The batch group, mounted at `<API_PREFIX>/events/batch`. */
export function batchRoutes(deps: BatchDependencies): Hono<BatchEnv> {
  return new Hono<BatchEnv>().post('/', batchEventsHandler(deps));
}
