import { type JetStreamClient, JetStreamApiCodes, JetStreamApiError, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { describeError } from '../limit-concurrency.ts';
import type { DeliveryOutcome, Sink, SinkEvent } from '../sink.ts';
import type { NatsSinkConfig } from '../sinks-file.ts';

interface Connected {
  readonly connection: NatsConnection;
  readonly js: JetStreamClient;
  readonly manager: JetStreamManager;
}

/** The stream ddup creates when none captures the subject and SINKS_FILE names none. */
export function defaultStreamName(sinkId: string): string {
  return `DDUP_${sinkId.toUpperCase().replace(/-/g, '_')}`;
}

async function ensureStream(manager: JetStreamManager, config: NatsSinkConfig): Promise<void> {
  let name = config.stream;
  if (name === undefined) {
    try {
      await manager.streams.find(config.subject);
      return; // some stream already captures the subject
    } catch (error) {
      if (!(error instanceof Error && /no stream matches subject/i.test(error.message))) throw error;
    }
    name = defaultStreamName(config.id);
  }
  try {
    await manager.streams.info(name);
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
  }
  await manager.streams.add({ name, subjects: [config.subject], duplicate_window: config.duplicateWindowSeconds * 1_000_000_000 });
}

/** What the webhook body adds to the event, as headers here (the payload is the event as accepted). */
function headersOf(event: SinkEvent) {
  const result = headers();
  result.set('Ddup-First-Seen-At', new Date(event.firstSeenMs).toISOString());
  if (event.tenant !== undefined) result.set('Ddup-Tenant', event.tenant);
  return result;
}

/**
 * Publishes each event to the subject through JetStream with Nats-Msg-Id = its hash, so the stream
 * drops a repeat within its duplicate window; an event is delivered once the server has acked it
 * (a duplicate ack counts too: the stream has it). Connects, and makes sure a stream captures the
 * subject, on first use; a failure there is a retry for the whole batch.
 */
export function createNatsSink(config: NatsSinkConfig): Sink {
  let connecting: Promise<Connected> | undefined;
  let streamReady: Promise<void> | undefined;

  const connected = (): Promise<Connected> => {
    connecting ??= (async () => {
      const connection = await connect({ servers: [...config.servers], timeout: config.timeoutMs, name: `ddup-sink-${config.id}` });
      return {
        connection,
        js: jetstream(connection, { timeout: config.timeoutMs }),
        manager: await jetstreamManager(connection, { timeout: config.timeoutMs }),
      };
    })();
    // A failed connection is forgotten, so the next delivery tries again.
    connecting.catch(() => (connecting = undefined));
    return connecting;
  };

  /** Connected, with a stream capturing the subject (checked once, and again after "no responders"). */
  const ready = async (): Promise<JetStreamClient> => {
    const { js, manager } = await connected();
    streamReady ??= ensureStream(manager, config);
    streamReady.catch(() => (streamReady = undefined));
    await streamReady;
    return js;
  };

  const publish = async (js: JetStreamClient, event: SinkEvent): Promise<DeliveryOutcome> => {
    try {
      await js.publish(config.subject, event.eventJson, { msgID: event.hash, timeout: config.timeoutMs, headers: headersOf(event) });
      return { kind: 'delivered' };
    } catch (error) {
      const reason = describeError(error);
      // Too large for this server is not going to change by retrying.
      if (/max(imum)?[ _]payload/i.test(reason)) return { kind: 'rejected', reason };
      // No stream answers for the subject (deleted?): make sure of it again before the next publish.
      if (/no responders/i.test(reason)) streamReady = undefined;
      return { kind: 'retry', reason };
    }
  };

  return {
    id: config.id,
    type: 'nats',
    async deliver(events, signal) {
      if (signal.aborted) return events.map(() => ({ kind: 'retry', reason: 'delivery was interrupted' }));
      let js: JetStreamClient;
      try {
        js = await ready();
      } catch (error) {
        const reason = `cannot reach JetStream: ${describeError(error)}`;
        return events.map(() => ({ kind: 'retry', reason }));
      }
      // JetStream acks in order on one connection; publishing the batch at once pipelines them.
      return Promise.all(events.map((event) => publish(js, event)));
    },
    async close() {
      const current = connecting;
      connecting = undefined;
      streamReady = undefined;
      if (current) await (await current.catch(() => undefined))?.connection.close();
    },
  };
}
