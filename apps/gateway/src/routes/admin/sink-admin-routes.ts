import { Hono } from 'hono';
import { JsonNumber, isJsonObject } from '@ddup/hashing';
import {
  type RedisCommandSender,
  type Store,
  inspectSinks,
  listDeadLetters,
  replayAllDeadLetters,
  replayDeadLettersById,
  replaySinkRange,
  sinksWithGroups,
} from '@ddup/store';
import { type ValidationProblem, notFound, validationError } from '../../errors.ts';
import { readBodyBytes } from '../../http/read-body.ts';
import { decodeUtf8Body } from '../../http/utf8-body.ts';
import { MalformedJson, parseEventJson } from '../../validation/event-json.ts';
import { jsonProblem, notAnObjectProblem } from '../../validation/problems.ts';
import { deadLetterBody } from './admin-answers.ts';
import { limitQuery, replayRequestOf } from './admin-input.ts';

/** A sink id as SINKS_FILE allows it (@ddup/sinks' SINK_ID): what may follow `/admin/sinks/`. */
const SINK_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';

/** A replay body is a few fields or a list of ids; anything larger is a mistake. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The `{id}` of a sink path: 404 unless some shard's events stream has the sink's group (the
 * gateway does not read SINKS_FILE: a sink exists for it once a consumer has started it).
 */
async function knownSink(redis: RedisCommandSender, shardCount: number, id: string): Promise<string> {
  if (!new RegExp(SINK_ID_PATTERN).test(id) || !(await sinksWithGroups(redis, shardCount)).includes(id)) {
    throw notFound(`No sink ${JSON.stringify(id)} has been started by a consumer`);
  }
  return id;
}

/** A time of a replay range: ISO 8601 text or ms since the epoch; undefined when absent. */
function timeOf(value: unknown, field: string, problems: ValidationProblem[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof JsonNumber ? Number(value.text) : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(ms) && ms >= 0) return Math.floor(ms);
  problems.push({ type: 'datetime_parsing', loc: ['body', field], msg: 'Input should be an ISO 8601 date-time or milliseconds since the epoch', input: value });
  return undefined;
}

/** `{"from": ..., "to": ...}` of a range replay: `from` required, `to` now when absent, `from` <= `to`. */
export function replayRangeOf(text: string, nowMs: number): { readonly fromMs: number; readonly toMs: number } {
  const body = parseEventJson(text.trim() === '' ? '{}' : text);
  if (body instanceof MalformedJson) throw validationError([jsonProblem(body.error)]);
  if (!isJsonObject(body)) throw validationError([notAnObjectProblem(body)]);
  const problems: ValidationProblem[] = [];
  const fromMs = timeOf(body.from, 'from', problems);
  const toMs = timeOf(body.to, 'to', problems) ?? nowMs;
  if (body.from === undefined || body.from === null) problems.push({ type: 'missing', loc: ['body', 'from'], msg: 'Field required', input: null });
  if (problems.length === 0 && fromMs !== undefined && fromMs > toMs) {
    problems.push({ type: 'value_error', loc: ['body', 'from'], msg: 'Value error, from must not be after to', input: body.from });
  }
  if (problems.length > 0 || fromMs === undefined) throw validationError(problems);
  return { fromMs, toMs };
}

/**
 * `/admin/sinks`: each started sink's backlog, a sink's dead letters (list, replay to that sink
 * only) and the replay of a time range of the events streams to one sink. Mounted inside the admin
 * routes, behind their bearer token.
 */
export function sinkAdminRoutes(redis: RedisCommandSender, store: Store): Hono {
  const shardCount = store.layout.shardCount;
  return new Hono()
    .get('/', async function listSinks(c) {
      const sinks = await inspectSinks(redis, shardCount, await sinksWithGroups(redis, shardCount));
      return c.json({ sinks: sinks.map(({ sink, lag, pending, deadLetters }) => ({ id: sink, lag, pending, dead_letters: deadLetters })) });
    })
    .get('/:id/dead-letters', async function listSinkLetters(c) {
      const sink = await knownSink(redis, shardCount, c.req.param('id'));
      const letters = (await listDeadLetters(redis, shardCount, limitQuery(c.req.query('limit')), { sink })).map(deadLetterBody);
      return c.json({ sink, dead_letters: letters, count: letters.length });
    })
    .post('/:id/dead-letters/replay', async function replaySinkLetters(c) {
      const sink = await knownSink(redis, shardCount, c.req.param('id'));
      const { ids, shard } = replayRequestOf(decodeUtf8Body(await readBodyBytes(c.req.raw, BODY_LIMIT_BYTES)), shardCount);
      const replayed =
        ids === undefined ? await replayAllDeadLetters(redis, store, { shard, sink }) : await replayDeadLettersById(redis, store, ids, shard, sink);
      return c.json({ sink, replayed: replayed.length, ids: replayed });
    })
    .post('/:id/replay', async function replayRange(c) {
      const sink = await knownSink(redis, shardCount, c.req.param('id'));
      const { fromMs, toMs } = replayRangeOf(decodeUtf8Body(await readBodyBytes(c.req.raw, BODY_LIMIT_BYTES)), Date.now());
      const replayed = await replaySinkRange(redis, shardCount, sink, fromMs, toMs);
      return c.json({ sink, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), replayed });
    });
}
