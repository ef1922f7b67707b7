import { afterEach, describe, expect, it } from 'vitest';
import { type ReceiverAnswer, type WebhookReceiver, startWebhookReceiver } from '@ddup/test-utils';
import {
  type AttemptReport,
  type BreakerState,
  type PolicyOptions,
  type Sink,
  createSink,
  deliverWithRetries,
  parseSinksFile,
  policyFor,
} from '../src/index.ts';
import { never, sampleSinkEvents } from './sample-events.ts';

const secret = `whsec_${Buffer.from('a 32-byte secret for the tests!!').toString('base64')}`;

let receiver: WebhookReceiver | undefined;
let sink: Sink | undefined;
afterEach(async () => {
  await sink?.close();
  await receiver?.close();
  sink = receiver = undefined;
});

/** A webhook sink to a receiver answering `respond`, and its policy (fast backoff unless told). */
async function setUp(respond: (id: string, attempt: number) => ReceiverAnswer, file: Record<string, unknown> = {}, options: PolicyOptions = {}) {
  const seen = new Map<string, number>();
  receiver = await startWebhookReceiver({
    secret,
    respond: ({ id }) => {
      const attempt = (seen.get(id) ?? 0) + 1;
      seen.set(id, attempt);
      return respond(id, attempt);
    },
  });
  const entry = { id: 'hooks', type: 'webhook', url: receiver.url, secret, timeout_ms: 1000, initial_backoff_ms: 5, max_backoff_ms: 50, ...file };
  const [config] = parseSinksFile(JSON.stringify({ sinks: [entry] })).sinks;
  if (!config) throw new Error('no sink');
  sink = createSink(config);
  return { sink, receiver, policy: policyFor(config, options) };
}

describe('deliverWithRetries', () => {
  it('retries transient failures until the sink takes each event', async () => {
    const { sink, receiver, policy } = await setUp((_, attempt) => (attempt <= 2 ? { status: 503 } : { status: 204 }));
    const events = sampleSinkEvents(3);
    const reports: AttemptReport[] = [];
    const finals = await deliverWithRetries(sink, events, policy, never, (report) => reports.push(report));
    expect(finals).toEqual(events.map(() => ({ kind: 'delivered', attempts: 3 })));
    expect(reports.map((report) => [report.attempt, report.events.length])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(receiver.deliveredIds()).toEqual(new Set(events.map((event) => event.hash)));
  });

  it('gives an event up after max_attempts, and dead-letters a rejected one at once, while the rest are delivered', async () => {
    const events = sampleSinkEvents(3);
    const [failing, refused] = events.map((event) => event.hash);
    const { sink, receiver, policy } = await setUp((id) => (id === failing ? { status: 500 } : id === refused ? { status: 400 } : { status: 200 }), {
      max_attempts: 4,
    });
    const finals = await deliverWithRetries(sink, events, policy, never);
    expect(finals).toEqual([
      { kind: 'dead', reason: 'HTTP 500 (after 4 attempts)', attempts: 4 },
      { kind: 'dead', reason: 'HTTP 400', attempts: 1 },
      { kind: 'delivered', attempts: 1 },
    ]);
    expect(receiver.received.filter((request) => request.id === failing)).toHaveLength(4);
  });

  it('waits as long as Retry-After says before the next attempt', async () => {
    const { sink, receiver, policy } = await setUp((_, attempt) => (attempt === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 }), {
      max_backoff_ms: 5000,
    });
    const arrivals: number[] = [];
    const finals = await deliverWithRetries(sink, sampleSinkEvents(1), { ...policy, random: () => 0 }, never, () => arrivals.push(Date.now()));
    expect(finals).toEqual([{ kind: 'delivered', attempts: 2 }]);
    expect(receiver.received).toHaveLength(2);
    // Without Retry-After the jitter (random = 0) would have retried at once.
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('a 410 disables the sink: the events not yet delivered are left for when it is enabled again', async () => {
    const { sink, policy } = await setUp(() => ({ status: 410 }));
    const finals = await deliverWithRetries(sink, sampleSinkEvents(2), policy, never);
    expect(finals).toEqual([
      { kind: 'disabled', reason: 'HTTP 410 Gone', attempts: 1 },
      { kind: 'disabled', reason: 'HTTP 410 Gone', attempts: 1 },
    ]);
  });

  it('an aborted signal leaves unsettled events interrupted', async () => {
    const { sink, policy } = await setUp(() => ({ status: 503 }), { initial_backoff_ms: 60_000, max_backoff_ms: 60_000 });
    const controller = new AbortController();
    const finals = deliverWithRetries(sink, sampleSinkEvents(1), { ...policy, random: () => 0.5 }, controller.signal, () => controller.abort());
    expect(await finals).toEqual([{ kind: 'interrupted', attempts: 1 }]);
  });

  it('the breaker opens after failures in a row, sends nothing while open, probes, and closes when the sink is back', async () => {
    const log: string[] = [];
    let up = false;
    const { sink, receiver, policy } = await setUp(
      () => {
        log.push('request');
        return up ? { status: 204 } : { status: 503 };
      },
      { max_attempts: 5 },
      { breakerFailureThreshold: 2, breakerOpenMs: 20, onBreakerStateChange: (state: BreakerState) => log.push(state) },
    );
    const first = await deliverWithRetries(sink, sampleSinkEvents(1), policy, never);
    expect(first).toEqual([{ kind: 'dead', reason: 'HTTP 503 (after 5 attempts)', attempts: 5 }]);
    // Two failures open it; each later attempt is a probe that fails and opens it again.
    expect(log).toEqual(['request', 'request', 'open', 'half-open', 'request', 'open', 'half-open', 'request', 'open', 'half-open', 'request', 'open']);
    expect(policy.breaker.state).toBe('open');

    up = true;
    log.length = 0;
    const events = sampleSinkEvents(4);
    // Two batches at once: one probes, the other waits for the probe's answer.
    const finals = await Promise.all([deliverWithRetries(sink, events.slice(0, 2), policy, never), deliverWithRetries(sink, events.slice(2), policy, never)]);
    expect(finals.flat()).toEqual(events.map(() => ({ kind: 'delivered', attempts: 1 })));
    expect(log.slice(0, 3)).toEqual(['half-open', 'request', 'request']);
    expect(log[3]).toBe('closed');
    expect(policy.breaker.state).toBe('closed');
    expect(receiver.deliveredIds().size).toBe(4);
  });
});
