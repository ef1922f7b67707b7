import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { type CanonicalForm, type JsonObject, LoneSurrogateError, NonFiniteNumberError, eventHash, jsonText } from '@ddup/hashing';
import type { Logger } from '@ddup/runtime';
import type { AdmitEvent } from './admission.ts';
import type { RedisHealthProblem } from './redis-health.ts';
import { type BatchDependencies, batchEventsHandler } from './batch-route.ts';
import { firstSeenAt } from './batch-results.ts';
import { ApiError, RETRY_AFTER_SECONDS, errorResponse, expectationFailed, redisUnavailable, validationError } from './errors.ts';
import { decodeUtf8Body, readBodyBytes } from './read-body.ts';
import { readEvent } from './read-event.ts';
import { isRedisUnavailable } from './redis-errors.ts';

export const API_PREFIX = '/api/v1/ddup_service';

export interface GatewayDependencies {
  readonly admitEvent: AdmitEvent;
  readonly canonicalForm: CanonicalForm;
  readonly bodyLimitBytes: number;
  /** Why Redis cannot serve admissions now (/readyz), or undefined when it can. */
  readonly checkRedis: () => Promise<RedisHealthProblem | undefined>;
  readonly logger: Logger;
  /** `POST /events/batch` (see batch-route.ts). */
  readonly batch: BatchDependencies;
}

/** Bodies larger than this are parsed and hashed in separate turns of the event loop. */
const YIELD_ABOVE_BYTES = 64 * 1024;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function hashOf(event: ReturnType<typeof readEvent>, form: CanonicalForm) {
  try {
    return eventHash(event, form);
  } catch (error) {
    // The JCS form cannot write every value the Python form can (1e400, lone surrogates).
    if (error instanceof NonFiniteNumberError || error instanceof LoneSurrogateError) {
      throw validationError([{ type: 'value_error', loc: ['body', 'payload'], msg: error.message, input: event.payload }]);
    }
    throw error;
  }
}

/**
 * The 202's body. The event is written as it was parsed, numbers as written (`100.0`, integers
 * past 2^53, `1e400`): what was hashed, and what the Python service echoed. `JSON.stringify`
 * would send them through JS numbers (`100`, `18446744073709552000`, `null`).
 */
function acceptedBody(event: ReturnType<typeof readEvent>, id: string, hash: string): string {
  const echoed: JsonObject = {
    user_id: event.user_id,
    event_type: event.event_type,
    timestamp: event.timestamp,
    payload: event.payload,
  };
  const body: JsonObject = { status: 'accepted', event: echoed, timestamp: new Date().toISOString(), id, hash };
  return jsonText(body);
}

/** The gateway as a Hono app: routes, validation and the one place errors become HTTP answers. */
export function createGatewayApp(deps: GatewayDependencies): Hono {
  const app = new Hono();

  // RFC 9110 §10.1.1: an expectation the server cannot meet gets 417. Node hands such requests here
  // (http-server.ts) rather than answer a bare 417 itself; Bun passes them through as it is.
  // `100-continue` is the runtimes' business (both answer it before the app sees the request).
  app.use(async (c, next) => {
    const expectation = c.req.header('expect');
    if (expectation !== undefined && expectation.trim().toLowerCase() !== '100-continue') throw expectationFailed(expectation);
    await next();
  });

  app.get(`${API_PREFIX}/test`, (c) => c.json({ message: 'successful' }));

  app.post(`${API_PREFIX}/events`, async (c) => {
    // Bytes first (bounded by the limit), then strict UTF-8: never c.req.text(), which would turn
    // invalid bytes into U+FFFD and let two different bodies hash alike.
    const bytes = await readBodyBytes(c.req.raw, deps.bodyLimitBytes);
    const event = readEvent(decodeUtf8Body(bytes));
    // Parsing and hashing a big body (100,000 keys near the limit) take a while each; let other
    // requests in between rather than block them for both.
    if (bytes.byteLength > YIELD_ABOVE_BYTES) await yieldToEventLoop();
    const { canonical, hash } = hashOf(event, deps.canonicalForm);
    const admission = await deps.admitEvent(hash, canonical);
    if (admission.outcome === 'duplicate') {
      throw new ApiError(409, 'duplicate', {
        detail: 'Duplicate event detected',
        hash,
        state: admission.state,
        first_seen_at: firstSeenAt(admission.firstSeenMs),
      });
    }
    return c.body(acceptedBody(event, admission.id, hash), 202, { 'content-type': 'application/json' });
  });

  app.post(`${API_PREFIX}/events/batch`, batchEventsHandler(deps.batch));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async (c) => {
    const problem = await deps.checkRedis();
    if (problem === undefined) return c.json({ status: 'ready' });
    c.header('retry-after', String(RETRY_AFTER_SECONDS));
    return c.json({ status: 'not ready', reason: problem.reason, detail: problem.detail }, 503);
  });

  app.notFound((c) => c.json({ detail: 'Not Found', code: 'not_found' }, 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(error);
    if (isRedisUnavailable(error)) return errorResponse(redisUnavailable(error.message || error.name));
    if (error instanceof HTTPException) {
      return c.json({ detail: error.message || 'HTTP error' }, error.status);
    }
    deps.logger.error('unhandled error', { error: error.stack ?? String(error), path: c.req.path });
    return c.json({ detail: 'Internal Server Error', code: 'internal' }, 500);
  });

  return app;
}
