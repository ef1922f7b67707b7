import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got. */
export interface ReceivedWebhook {
  /** The webhook-id header ('' when absent). */
  readonly id: string;
  /** Whether the Standard Webhooks signature (and timestamp) checked out with the secret. */
  readonly verified: boolean;
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
  /** The status it answered; undefined when it hung or dropped the connection. */
  readonly status: number | undefined;
}

/** How to answer a request: a status (and headers), or never answer ('hang'), or drop the connection. */
export type ReceiverAnswer = { readonly status: number; readonly headers?: Record<string, string> } | 'hang' | 'drop';

export interface WebhookReceiverOptions {
  /** The sink's whsec_ secret. */
  readonly secret: string;
  /** Decides each answer; by default 204 to a verified request, 401 to one that is not. */
  readonly respond?: (request: { readonly id: string; readonly verified: boolean; readonly index: number }) => ReceiverAnswer;
  /** The port to listen on (a free one when unset): a receiver brought back after an outage keeps its URL. */
  readonly port?: number;
}

/** A local HTTP endpoint for webhook sinks that verifies signatures and records what came. */
export interface WebhookReceiver {
  /** http://127.0.0.1:port/hooks */
  readonly url: string;
  readonly port: number;
  readonly received: readonly ReceivedWebhook[];
  /** Distinct webhook-ids of verified requests answered 2xx: what the sink was given. */
  deliveredIds(): Set<string>;
  /** Replaces the answer policy (e.g. to bring a failing endpoint back). */
  respondWith(respond: WebhookReceiverOptions['respond']): void;
  /** Stops listening and drops open connections (hanging ones too). Idempotent. */
  close(): Promise<void>;
}

const defaultAnswer: NonNullable<WebhookReceiverOptions['respond']> = ({ verified }) => ({ status: verified ? 204 : 401 });

function verify(webhook: Webhook, body: string, headers: IncomingMessage['headers']): boolean {
  const header = (name: string) => (typeof headers[name] === 'string' ? headers[name] : '');
  try {
    webhook.verify(body, {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    });
    return true;
  } catch {
    return false;
  }
}

export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const webhook = new Webhook(options.secret);
  let respond = options.respond ?? defaultAnswer;
  const received: ReceivedWebhook[] = [];
  const sockets = new Set<Socket>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const id = typeof request.headers['webhook-id'] === 'string' ? request.headers['webhook-id'] : '';
    const verified = verify(webhook, body, request.headers);
    const answer = respond({ id, verified, index: received.length });
    const status = typeof answer === 'object' ? answer.status : undefined;
    received.push({ id, verified, body, headers: request.headers, status });
    if (answer === 'hang') return;
    if (answer === 'drop') {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer.status, answer.headers).end();
  };

  const server = createServer((request, response) => void handle(request, response));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    deliveredIds: () =>
      new Set(received.filter((request) => request.verified && request.status !== undefined && request.status < 300 && request.status >= 200).map((r) => r.id)),
    respondWith(next) {
      respond = next ?? defaultAnswer;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
