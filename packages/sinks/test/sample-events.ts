import { createHash } from 'node:crypto';
import type { SinkEvent } from '../src/index.ts';

/** `count` distinct events (of `tenant`; null: without one) as the pipeline would hand them over (hash = SHA-256 of the JSON). */
export function sampleSinkEvents(count: number, tenant: string | null = 'acme'): SinkEvent[] {
  const base = Date.UTC(2026, 11, 6, 5, 0, 0);
  return Array.from({ length: count }, (_, index) => {
    const eventJson = JSON.stringify({ user_id: `u${index}`, event_type: 'order.paid', timestamp: '2026-12-06T05:00:00Z', payload: { n: index } });
    return { hash: createHash('sha256').update(eventJson).digest('hex'), tenant: tenant ?? undefined, eventJson, firstSeenMs: base + index };
  });
}

export const never = new AbortController().signal;
