import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { type TestNats, startTestNats } from '@ddup/test-utils';
import { type NatsSinkConfig, createSink, defaultStreamName, parseSinksFile } from '../src/index.ts';
import { never, sampleSinkEvents } from './sample-events.ts';

function natsConfig(servers: string, overrides: Record<string, unknown> = {}): NatsSinkConfig {
  const [sink] = parseSinksFile(
    JSON.stringify({ sinks: [{ id: 'bus', type: 'nats', servers, subject: 'ddup.events', timeout_ms: 1000, ...overrides }] }),
  ).sinks;
  return sink as NatsSinkConfig;
}

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

async function streamMessages(stream: string): Promise<number> {
  const connection = await connect({ servers: nats.url });
  try {
    const manager = await jetstreamManager(connection);
    return (await manager.streams.info(stream)).state.messages;
  } finally {
    await connection.close();
  }
}

describe('nats sink', () => {
  it('creates its stream, publishes every event, and a second delivery adds nothing (Nats-Msg-Id = hash)', async () => {
    const sink = createSink(natsConfig(nats.url));
    const events = sampleSinkEvents(20);
    expect(await sink.deliver(events, never)).toEqual(events.map(() => ({ kind: 'delivered' })));
    expect(await sink.deliver([...events.slice(5), ...events.slice(0, 5)], never)).toEqual(events.map(() => ({ kind: 'delivered' })));
    await sink.close();
    expect(await streamMessages(defaultStreamName('bus'))).toBe(20);

    const connection = await connect({ servers: nats.url });
    const stored = await (await jetstreamManager(connection)).streams.getMessage(defaultStreamName('bus'), { seq: 1 });
    await connection.close();
    expect(stored?.string()).toBe(events[0]?.eventJson);
    expect(stored?.header.get('Nats-Msg-Id')).toBe(events[0]?.hash);
    expect(stored?.header.get('Ddup-Tenant')).toBe('acme');
    expect(stored?.header.get('Ddup-First-Seen-At')).toBe(new Date(events[0]?.firstSeenMs ?? 0).toISOString());
  });

  it('publishes into the stream SINKS_FILE names, with the window it asks for', async () => {
    const sink = createSink(natsConfig(nats.url, { subject: 'ddup.named', stream: 'EVENTS', duplicate_window_seconds: 600 }));
    const events = sampleSinkEvents(3, null);
    await sink.deliver(events, never);
    await sink.deliver(events, never);
    await sink.close();
    expect(await streamMessages('EVENTS')).toBe(3);
    const connection = await connect({ servers: nats.url });
    const info = await (await jetstreamManager(connection)).streams.info('EVENTS');
    await connection.close();
    expect(info.config.duplicate_window).toBe(600 * 1_000_000_000);
  });

  it('a stream deleted under it is a retry, and the next delivery makes it again', async () => {
    const sink = createSink(natsConfig(nats.url, { subject: 'ddup.recreated', stream: 'RECREATED' }));
    const events = sampleSinkEvents(3);
    expect(await sink.deliver(events.slice(0, 1), never)).toEqual([{ kind: 'delivered' }]);
    const connection = await connect({ servers: nats.url });
    await (await jetstreamManager(connection)).streams.delete('RECREATED');
    await connection.close();
    expect(await sink.deliver(events.slice(1), never)).toEqual([
      { kind: 'retry', reason: expect.stringMatching(/no responders/) },
      { kind: 'retry', reason: expect.stringMatching(/no responders/) },
    ]);
    expect(await sink.deliver(events.slice(1), never)).toEqual([{ kind: 'delivered' }, { kind: 'delivered' }]);
    await sink.close();
    expect(await streamMessages('RECREATED')).toBe(2);
  });

  it('a server that is not there, or goes away, is a retry for every event', async () => {
    const nowhere = createSink(natsConfig(`nats://127.0.0.1:${await freePort()}`, { subject: 'ddup.nowhere' }));
    const outcomes = await nowhere.deliver(sampleSinkEvents(2), never);
    expect(outcomes).toEqual([
      { kind: 'retry', reason: expect.stringMatching(/cannot reach JetStream/) },
      { kind: 'retry', reason: expect.stringMatching(/cannot reach JetStream/) },
    ]);
    await nowhere.close();

    const other = await startTestNats();
    const sink = createSink(natsConfig(other.url, { subject: 'ddup.gone', timeout_ms: 300 }));
    expect(await sink.deliver(sampleSinkEvents(1), never)).toEqual([{ kind: 'delivered' }]);
    await other.stop();
    expect(await sink.deliver(sampleSinkEvents(2), never)).toEqual([
      { kind: 'retry', reason: expect.any(String) },
      { kind: 'retry', reason: expect.any(String) },
    ]);
    await sink.close();
  });
});
