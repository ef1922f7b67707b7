import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { type ReceiverAnswer, type WebhookReceiver, startWebhookReceiver } from '@ddup/test-utils';
import { type WebhookSinkConfig, createSink, parseSinksFile } from '../src/index.ts';
import { never, sampleSinkEvents } from './sample-events.ts';

const secret = `whsec_${Buffer.from('a 32-byte secret for the tests!!').toString('base64')}`;

function webhookConfig(url: string, overrides: Record<string, unknown> = {}): WebhookSinkConfig {
  const [sink] = parseSinksFile(JSON.stringify({ sinks: [{ id: 'hooks', type: 'webhook', url, secret, timeout_ms: 300, ...overrides }] })).sinks;
  return sink as WebhookSinkConfig;
}

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function deliverTo(answer: ReceiverAnswer) {
  receiver = await startWebhookReceiver({ secret, respond: () => answer });
  const sink = createSink(webhookConfig(receiver.url));
  try {
    return await sink.deliver(sampleSinkEvents(1), never);
  } finally {
    await sink.close();
  }
}

describe('webhook sink', () => {
  it('posts signed events the receiver verifies, and a second delivery adds no new webhook-id', async () => {
    receiver = await startWebhookReceiver({ secret });
    const sink = createSink(webhookConfig(receiver.url));
    const events = sampleSinkEvents(5);
    expect(await sink.deliver(events, never)).toEqual(events.map(() => ({ kind: 'delivered' })));
    expect(await sink.deliver(events, never)).toEqual(events.map(() => ({ kind: 'delivered' })));
    await sink.close();

    expect(receiver.received).toHaveLength(10);
    expect(receiver.received.every((request) => request.verified)).toBe(true);
    expect(receiver.deliveredIds()).toEqual(new Set(events.map((event) => event.hash)));
    const first = receiver.received[0];
    expect(JSON.parse(first?.body ?? '')).toEqual({
      ...JSON.parse(events[0]?.eventJson ?? ''),
      tenant: 'acme',
      hash: events[0]?.hash,
      first_seen_at: new Date(events[0]?.firstSeenMs ?? 0).toISOString(),
    });
    expect(first?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('keeps the event as it was written: numbers are not rounded or reformatted', async () => {
    receiver = await startWebhookReceiver({ secret });
    const sink = createSink(webhookConfig(receiver.url));
    const eventJson = '{"user_id": "u1", "payload": {"big": 12345678901234567890, "ratio": 1.0}}';
    await sink.deliver(
      [
        { hash: 'a'.repeat(64), tenant: undefined, eventJson, firstSeenMs: 0 },
        { hash: 'b'.repeat(64), tenant: 't', eventJson: '{}', firstSeenMs: 0 },
      ],
      never,
    );
    await sink.close();
    const bodies = receiver.received.map((request) => request.body).sort();
    expect(bodies).toEqual([
      `{"tenant":"t","hash":"${'b'.repeat(64)}","first_seen_at":"1970-01-01T00:00:00.000Z"}`,
      `{"user_id": "u1", "payload": {"big": 12345678901234567890, "ratio": 1.0},"tenant":null,"hash":"${'a'.repeat(64)}","first_seen_at":"1970-01-01T00:00:00.000Z"}`,
    ]);
    expect(receiver.received.every((request) => request.verified)).toBe(true);
  });

  it('a receiver with another secret does not verify the signature', async () => {
    const other = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    receiver = await startWebhookReceiver({ secret: other });
    const sink = createSink(webhookConfig(receiver.url));
    expect(await sink.deliver(sampleSinkEvents(1), never)).toEqual([{ kind: 'rejected', reason: 'HTTP 401' }]);
    await sink.close();
    expect(receiver.received[0]?.verified).toBe(false);
  });

  it('maps answers to outcomes: 5xx and 408 retry, 429 with its Retry-After, 410 gone, other 4xx rejected', async () => {
    expect(await deliverTo({ status: 500 })).toEqual([{ kind: 'retry', reason: 'HTTP 500' }]);
    await receiver?.close();
    expect(await deliverTo({ status: 408 })).toEqual([{ kind: 'retry', reason: 'HTTP 408' }]);
    await receiver?.close();
    expect(await deliverTo({ status: 429, headers: { 'retry-after': '7' } })).toEqual([{ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 7000 }]);
    await receiver?.close();
    expect(await deliverTo({ status: 410 })).toEqual([{ kind: 'gone', reason: 'HTTP 410 Gone' }]);
    await receiver?.close();
    expect(await deliverTo({ status: 422 })).toEqual([{ kind: 'rejected', reason: 'HTTP 422' }]);
  });

  it('a receiver that hangs is a timeout, one that drops the connection or is not there a network error: all retried', async () => {
    expect(await deliverTo('hang')).toEqual([{ kind: 'retry', reason: 'no answer within 300 ms' }]);
    await receiver?.close();
    expect(await deliverTo('drop')).toEqual([{ kind: 'retry', reason: expect.stringMatching(/socket|closed|reset/i) }]);

    const sink = createSink(webhookConfig(`http://127.0.0.1:${await freePort()}/hooks`));
    expect(await sink.deliver(sampleSinkEvents(1), never)).toEqual([{ kind: 'retry', reason: expect.stringMatching(/ECONNREFUSED/) }]);
    await sink.close();
  });
});
