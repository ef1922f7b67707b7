import { Pool } from 'undici';
import { describeError, mapWithConcurrency } from '../limit-concurrency.ts';
import type { DeliveryOutcome, Sink, SinkEvent } from '../sink.ts';
import type { WebhookSinkConfig } from '../sinks-file.ts';
import { webhookBody } from './payload.ts';
import { outcomeOfStatus } from './response-outcome.ts';
import { signWebhook, webhookKey } from './signature.ts';

/**
 * Posts each event to the sink's URL as a Standard Webhook (webhook-id = the event's hash, so the
 * receiver can drop a repeat), at most `concurrency` requests at once over one connection pool.
 */
export function createWebhookSink(config: WebhookSinkConfig): Sink {
  const url = new URL(config.url);
  const path = `${url.pathname}${url.search}`;
  const key = webhookKey(config.secret);
  const pool = new Pool(url.origin, {
    connections: config.concurrency,
    connect: { timeout: config.timeoutMs },
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
  });

  const post = async (event: SinkEvent, signal: AbortSignal): Promise<DeliveryOutcome> => {
    let body: string;
    try {
      body = webhookBody(event);
    } catch (error) {
      return { kind: 'rejected', reason: `cannot make a webhook body: ${describeError(error)}` };
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const timeout = AbortSignal.timeout(config.timeoutMs);
    try {
      const response = await pool.request({
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': event.hash,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(key, event.hash, timestamp, body),
        },
        body,
        signal: AbortSignal.any([signal, timeout]),
      });
      await response.body.dump();
      return outcomeOfStatus(response.statusCode, response.headers['retry-after'], Date.now());
    } catch (error) {
      if (timeout.aborted) return { kind: 'retry', reason: `no answer within ${config.timeoutMs} ms` };
      if (signal.aborted) return { kind: 'retry', reason: 'delivery was interrupted' };
      return { kind: 'retry', reason: describeError(error) };
    }
  };

  return {
    id: config.id,
    type: 'webhook',
    deliver: (events, signal) => mapWithConcurrency(events, config.concurrency, (event) => post(event, signal)),
    async close() {
      await pool.destroy();
    },
  };
}
