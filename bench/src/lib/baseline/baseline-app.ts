import { Hono } from 'hono';
import { BATCH_PATH, EVENTS_PATH } from '../load/load.ts';

/**
 * The baseline: a bare Hono app with the gateway's routes that parses the same JSON bodies and
 * answers as the gateway does when everything is new (202 with the event echoed; a batch: 200 with
 * one result per event), without validation, hashing or Redis. What the HTTP stack alone costs on
 * the same runtime; the gateway's figures are read against it.
 */
export function createBaselineApp(): Hono {
  const app = new Hono();
  app.post(EVENTS_PATH, async (c) => {
    const event: unknown = await c.req.json();
    return c.json({ status: 'accepted', event, timestamp: new Date().toISOString() }, 202);
  });
  app.post(BATCH_PATH, async (c) => {
    const body: unknown = await c.req.json();
    const events: readonly unknown[] = Array.isArray(body) ? body : [];
    const results = events.map((_, index) => ({ index, status: 202 }));
    return c.json({ results, accepted: events.length, duplicates: 0, invalid: 0 }, 200);
  });
  app.get('/readyz', (c) => c.json({ status: 'ready' }));
  return app;
}
