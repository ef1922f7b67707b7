import { randomUUID } from 'node:crypto';

const EVENT_TYPES = ['purchase', 'view', 'add_to_cart', 'click'] as const;

/**
 * One event in the old service's load-test shape, `{user_id, event_type, timestamp, payload:
 * {item_id, price, currency, platform}}`, as JSON text (written by hand: the load generator shares
 * the CPU with the system under test, so it must stay cheap). `n` varies the other fields.
 */
export function eventJson(userId: string, n: number, timestamp: string): string {
  const eventType = EVENT_TYPES[n % EVENT_TYPES.length] ?? 'purchase';
  const price = (n % 10_000) / 100 + 0.5;
  return (
    `{"user_id":"${userId}","event_type":"${eventType}","timestamp":"${timestamp}",` +
    `"payload":{"item_id":"item-${n % 1000}","price":${price},"currency":"EUR","platform":"web"}}`
  );
}

/** A generator of event bodies that all hash differently: `user_id` is a fresh UUID. */
export function randomEventBodies(): () => string {
  let n = 0;
  return () => eventJson(randomUUID(), ++n, new Date().toISOString());
}

/** A generator of event bodies that all hash differently: `user_id` is `<tag>-<counter>`. */
export function uniqueEventBodies(tag: string): () => string {
  let n = 0;
  return () => {
    n += 1;
    return eventJson(`${tag}-${n}`, n, new Date().toISOString());
  };
}

/** A JSON array of `size` unique events (one timestamp for the whole batch). */
export function randomBatchBodies(size: number): () => string {
  let n = 0;
  return () => {
    const timestamp = new Date().toISOString();
    const events: string[] = [];
    for (let i = 0; i < size; i++) events.push(eventJson(randomUUID(), ++n, timestamp));
    return `[${events.join(',')}]`;
  };
}
