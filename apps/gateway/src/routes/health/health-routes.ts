import { Hono } from 'hono';
import type { RedisHealthProblem } from '../../admission/redis-health.ts';
import { RETRY_AFTER_SECONDS } from '../../errors.ts';

/** `/healthz` (the process answers) and `/readyz` (it can admit events: Redis reachable and safe to use). */
export function healthRoutes(checkRedis: () => Promise<RedisHealthProblem | undefined>): Hono {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const problem = await checkRedis();
      if (problem === undefined) return c.json({ status: 'ready' });
      c.header('retry-after', String(RETRY_AFTER_SECONDS));
      return c.json({ status: 'not ready', reason: problem.reason, detail: problem.detail }, 503);
    });
}

/** `GET <API_PREFIX>/test`, kept from the Python service: `{"message": "successful"}`. */
export function serviceTestRoutes(): Hono {
  return new Hono().get('/', (c) => c.json({ message: 'successful' }));
}
