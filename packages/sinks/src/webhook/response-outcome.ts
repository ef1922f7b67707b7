import type { DeliveryOutcome } from '../sink.ts';

/** Retry-After as ms from `nowMs`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * What an HTTP answer means for the event: 2xx delivered; 410 the endpoint is gone (disable the
 * sink); 408, 429 and 5xx transient (retry, after Retry-After when given); anything else (other
 * 4xx, redirects, which are not followed) a permanent refusal of this event.
 */
export function outcomeOfStatus(status: number, retryAfter: string | string[] | undefined, nowMs: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone', reason: 'HTTP 410 Gone' };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, nowMs);
    return retryAfterMs === undefined ? { kind: 'retry', reason: `HTTP ${status}` } : { kind: 'retry', reason: `HTTP ${status}`, retryAfterMs };
  }
  return { kind: 'rejected', reason: `HTTP ${status}` };
}
