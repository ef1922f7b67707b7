import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, createServer } from 'node:http';
import type { Socket } from 'node:net';

/** One webhook the receiver answered 204: its webhook-id, when ddup accepted it, when it came. */
export interface Arrival {
  readonly id: string;
  readonly firstSeenMs: number;
  readonly arrivedMs: number;
}

/**
 * A lean webhook endpoint for measuring delivery: it checks every signature with node:crypto
 * (as docs/sinks.md shows), answers 204, and keeps only what the figures need. test-utils'
 * receiver keeps every body and header, which grows large over a run of tens of thousands.
 */
export interface BenchReceiver {
  readonly url: string;
  /** Requests answered 204, in arrival order (a repeated webhook-id is a duplicate delivery). */
  readonly arrivals: readonly Arrival[];
  /** Requests whose signature did not verify (answered 401). */
  unverified(): number;
  close(): Promise<void>;
}

const FIRST_SEEN = /"first_seen_at":"([^"]+)"\}$/;

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return typeof value === 'string' ? value : '';
}

function verified(key: Buffer, request: IncomingMessage, body: string): boolean {
  const expected = createHmac('sha256', key)
    .update(`${header(request, 'webhook-id')}.${header(request, 'webhook-timestamp')}.${body}`)
    .digest();
  return header(request, 'webhook-signature')
    .split(' ')
    .some((signature) => {
      const [version, value] = signature.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

export async function startBenchReceiver(secret: string): Promise<BenchReceiver> {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const arrivals: Arrival[] = [];
  let unverified = 0;
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verified(key, request, body)) {
        unverified++;
        response.writeHead(401).end();
        return;
      }
      const firstSeen = FIRST_SEEN.exec(body)?.[1];
      arrivals.push({ id: header(request, 'webhook-id'), firstSeenMs: firstSeen ? Date.parse(firstSeen) : Number.NaN, arrivedMs: Date.now() });
      response.writeHead(204).end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    arrivals,
    unverified: () => unverified,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
