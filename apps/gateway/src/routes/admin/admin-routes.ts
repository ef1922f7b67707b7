import { Hono } from 'hono';
import type { Logger } from '@ddup/runtime';
import { type RedisCommandSender, type Store, listDeadLetters, replayAllDeadLetters, replayDeadLettersById, sinkDeliveryStates } from '@ddup/store';
import { notFound, validationError } from '../../errors.ts';
import { readBodyBytes } from '../../http/read-body.ts';
import { decodeUtf8Body } from '../../http/utf8-body.ts';
import { deadLetterBody, rememberedEventBody } from './admin-answers.ts';
import { hashParam, limitQuery, replayRequestOf } from './admin-input.ts';
import { requireBearerToken } from './bearer-token.ts';
import { FailureThrottle } from './failure-throttle.ts';
import { sinkAdminRoutes } from './sink-admin-routes.ts';

export interface AdminDependencies {
  /** `DDUP_ADMIN_TOKEN`: the bearer token every admin request must carry. */
  readonly token: string;
  /** `ADMIN_AUTH_FAILURES_PER_MINUTE`: wrong tokens one address may send a minute before it gets 429. */
  readonly failuresPerMinute?: number;
  /** Where refused tokens are reported (rate-limited). */
  readonly logger: Logger;
  readonly redis: RedisCommandSender;
  readonly store: Store;
  /**
   * The store of `?tenant=<id>`'s dedup space; undefined when there is no such tenant. Absent:
   * only the default space (as without TENANTS_FILE).
   */
  readonly storeOf?: (tenant: string | undefined) => Store | undefined;
  /** With TENANTS_FILE every event lives in a tenant's space: `?tenant=` is required. */
  readonly tenantRequired?: boolean;
}

/** A replay body is at most a list of ids; anything larger is a mistake. */
const REPLAY_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The operators' routes (mounted at `/admin`, only when `DDUP_ADMIN_TOKEN` is set), all behind the
 * bearer token: one remembered event (look up, forget), the dead letters (list, replay) and the
 * sinks (`/admin/sinks`: see sink-admin-routes.ts).
 */
export function adminRoutes(deps: AdminDependencies): Hono {
  const { redis, store } = deps;
  /** The space `?tenant=` names: 422 when one must be named and is not, 404 for an unknown tenant. */
  const spaceStore = (tenant: string | undefined): Store => {
    if (tenant === undefined && deps.tenantRequired) {
      throw validationError([{ type: 'missing', loc: ['query', 'tenant'], msg: 'Field required: the tenant whose dedup space to look in', input: null }]);
    }
    const found = deps.storeOf ? deps.storeOf(tenant) : tenant === undefined ? store : undefined;
    if (found === undefined) throw notFound(`No tenant ${JSON.stringify(tenant)}`);
    return found;
  };
  return new Hono()
    .use(requireBearerToken(deps.token, { logger: deps.logger, routes: 'admin' }, new FailureThrottle(deps.failuresPerMinute)))
    .get('/events/:hash', async function lookUpEvent(c) {
      const hash = hashParam(c.req.param('hash'));
      const remembered = await spaceStore(c.req.query('tenant')).lookup(redis, hash);
      if (remembered === undefined) throw notFound('No event with this hash is remembered within the window');
      const sinks = await sinkDeliveryStates(redis, store.shardOf(hash), hash, remembered.firstSeenMs);
      return c.json({
        ...rememberedEventBody(remembered),
        ...(sinks.length > 0 ? { sinks: Object.fromEntries(sinks.map(({ sink, state }) => [sink, state])) } : {}),
      });
    })
    .delete('/events/:hash', async function forgetEvent(c) {
      const hash = hashParam(c.req.param('hash'));
      if (!(await spaceStore(c.req.query('tenant')).forget(redis, hash))) throw notFound('No event with this hash is remembered');
      return c.json({ hash, forgotten: true });
    })
    .get('/dead-letters', async function listLetters(c) {
      const limit = limitQuery(c.req.query('limit'));
      const letters = (await listDeadLetters(redis, store.layout.shardCount, limit)).map(deadLetterBody);
      return c.json({ dead_letters: letters, count: letters.length });
    })
    .post('/dead-letters/replay', async function replayLetters(c) {
      const text = decodeUtf8Body(await readBodyBytes(c.req.raw, REPLAY_BODY_LIMIT_BYTES));
      const { ids, shard } = replayRequestOf(text, store.layout.shardCount);
      const replayed = ids === undefined ? await replayAllDeadLetters(redis, store, { shard }) : await replayDeadLettersById(redis, store, ids, shard);
      return c.json({ replayed: replayed.length, ids: replayed });
    })
    .route('/sinks', sinkAdminRoutes(redis, store));
}
