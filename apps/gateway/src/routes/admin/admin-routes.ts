import { Hono } from 'hono';
import { type RedisCommandSender, type Store, listDeadLetters, replayAllDeadLetters, replayDeadLettersById } from '@ddup/store';
import { notFound } from '../../errors.ts';
import { readBodyBytes } from '../../http/read-body.ts';
import { decodeUtf8Body } from '../../http/utf8-body.ts';
import { deadLetterBody, rememberedEventBody } from './admin-answers.ts';
import { hashParam, limitQuery, replayIdsOf } from './admin-input.ts';
import { requireBearerToken } from './bearer-token.ts';

export interface AdminDependencies {
  /** `DDUP_ADMIN_TOKEN`: the bearer token every admin request must carry. */
  readonly token: string;
  readonly redis: RedisCommandSender;
  readonly store: Store;
}

/** A replay body is at most a list of ids; anything larger is a mistake. */
const REPLAY_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The operators' routes (mounted at `/admin`, only when `DDUP_ADMIN_TOKEN` is set), all behind the
 * bearer token: one remembered event (look up, forget) and the dead letters (list, replay).
 */
export function adminRoutes(deps: AdminDependencies): Hono {
  const { redis, store } = deps;
  return new Hono()
    .use(requireBearerToken(deps.token))
    .get('/events/:hash', async function lookUpEvent(c) {
      const hash = hashParam(c.req.param('hash'));
      const remembered = await store.lookup(redis, hash);
      if (remembered === undefined) throw notFound('No event with this hash is remembered within the window');
      return c.json(rememberedEventBody(remembered));
    })
    .delete('/events/:hash', async function forgetEvent(c) {
      const hash = hashParam(c.req.param('hash'));
      if (!(await store.forget(redis, hash))) throw notFound('No event with this hash is remembered');
      return c.json({ hash, forgotten: true });
    })
    .get('/dead-letters', async function listLetters(c) {
      const limit = limitQuery(c.req.query('limit'));
      const letters = (await listDeadLetters(redis, store.layout.shardCount, limit)).map(deadLetterBody);
      return c.json({ dead_letters: letters, count: letters.length });
    })
    .post('/dead-letters/replay', async function replayLetters(c) {
      const ids = replayIdsOf(decodeUtf8Body(await readBodyBytes(c.req.raw, REPLAY_BODY_LIMIT_BYTES)));
      const replayed = ids === undefined ? await replayAllDeadLetters(redis, store) : await replayDeadLettersById(redis, store, ids);
      return c.json({ replayed: replayed.length, ids: replayed });
    });
}
