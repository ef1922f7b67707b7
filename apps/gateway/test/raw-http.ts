import { connect, type Socket } from 'node:net';

/** What a raw HTTP/1.1 exchange ended with. */
export interface RawExchange {
  /** 0 when the server closed without answering. */
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** From connect to the server closing (or resetting) the connection. */
  readonly closedAfterMs: number;
  /** Bytes of the request this client managed to hand to the kernel before the end. */
  readonly bytesSent: number;
  readonly clientError: string | undefined;
  /** The client socket's local port, to find the server's side of the connection. */
  readonly localPort: number;
}

export interface RawRequestOptions {
  /** Called once connected, after `head` is written; write the body here (or nothing, to stall). */
  readonly feed?: (socket: Socket) => void;
  /** Give up (and fail the caller) after this long; default 15 s. */
  readonly timeoutMs?: number;
}

/**
 * Writes `head` (request line, headers, maybe part of a body) on a fresh TCP connection and waits
 * until the server closes it, collecting what it answered (send `Connection: close` when the
 * request is complete, or a keep-alive answer leaves the connection open). The caller controls the rest of the body
 * through `feed`, so stalled, trickled and endless uploads can be played exactly.
 */
export function rawRequest(port: number, head: string, options: RawRequestOptions = {}): Promise<RawExchange> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    let localPort = 0;
    const socket = untilClosed(port, timeoutMs, reject, ({ received, clientError, closedAfterMs }) => {
      resolve({
        ...parseResponse(received.toString('utf8')),
        closedAfterMs,
        bytesSent: socket.bytesWritten,
        clientError,
        localPort,
      });
    });
    socket.once('connect', () => {
      localPort = socket.localPort ?? 0;
      socket.write(head);
      options.feed?.(socket);
    });
  });
}

function parseResponse(text: string): Pick<RawExchange, 'status' | 'headers' | 'body'> {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: text };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body: text.slice(end + 4) };
}

/**
 * Writes `total` bytes of `chunk` repeated, honouring back-pressure, until done, the connection
 * ends, or the server answers (as curl does: an early answer means the rest is not wanted). The
 * same buffer is written again and again, so the client itself allocates almost nothing.
 * With `chunked`, each piece is framed as an HTTP/1.1 chunk and the body is never terminated.
 */
export function pump(socket: Socket, total: number, chunk: Buffer, chunked = false): void {
  const size = Buffer.from(`${chunk.length.toString(16)}\r\n`);
  const crlf = Buffer.from('\r\n');
  let sent = 0;
  const more = () => sent < total && !socket.destroyed && socket.writable && socket.bytesRead === 0;
  const write = (): void => {
    while (more()) {
      sent += chunk.length;
      if (chunked) {
        socket.write(size);
        socket.write(chunk);
        if (!socket.write(crlf)) break;
      } else if (!socket.write(chunk)) break;
    }
    if (more()) socket.once('drain', write);
  };
  write();
}

export function postHead(path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join('')}\r\n`;
}

/** One answer of several read off a connection. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What a client that sends its whole body, answer or not, ended with. */
export interface FloodExchange {
  /** Every complete answer the server sent, in order (framed by Content-Length). */
  readonly answers: RawAnswer[];
  /** Bytes of the request handed to the kernel before the end. */
  readonly bytesSent: number;
  /** Whether the whole body (and `then`) was written. */
  readonly sentAll: boolean;
  /** From connect to the connection closing. */
  readonly closedAfterMs: number;
  readonly clientError: string | undefined;
}

export interface FloodOptions {
  /** Frame the body as chunks (and end it with the last chunk), else it is `total` raw bytes. */
  readonly chunked?: boolean;
  /** Written once the whole body is sent: a next request on the same connection. */
  readonly then?: string;
  /** Close the client's side this long after `then` was written (else the server must close). */
  readonly closeAfterMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Writes `head` and then `total` body bytes as fast as the server takes them, ignoring any answer
 * meanwhile (as Python's http.client and urllib do: they read only once all is sent), and collects
 * the answers until the connection closes.
 */
export function flood(port: number, head: string, total: number, options: FloodOptions = {}): Promise<FloodExchange> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const size = Buffer.from(`${chunk.length.toString(16)}\r\n`);
  const crlf = Buffer.from('\r\n');
  return new Promise((resolve, reject) => {
    let sent = 0;
    let sentAll = false;
    const socket = untilClosed(port, timeoutMs, reject, ({ received, clientError, closedAfterMs }) => {
      resolve({
        answers: parseAnswers(received),
        bytesSent: socket.bytesWritten,
        sentAll,
        closedAfterMs,
        clientError,
      });
    });
    const finish = () => {
      if (options.chunked) socket.write('0\r\n\r\n');
      if (options.then) socket.write(options.then);
      sentAll = true;
      if (options.closeAfterMs !== undefined) setTimeout(() => socket.end(), options.closeAfterMs);
    };
    const write = (): void => {
      while (sent < total && !socket.destroyed) {
        const piece = Math.min(chunk.length, total - sent);
        sent += piece;
        const data = piece === chunk.length ? chunk : chunk.subarray(0, piece);
        let more: boolean;
        if (options.chunked) {
          socket.write(piece === chunk.length ? size : `${piece.toString(16)}\r\n`);
          socket.write(data);
          more = socket.write(crlf);
        } else more = socket.write(data);
        if (!more) {
          socket.once('drain', write);
          return;
        }
      }
      if (!socket.destroyed) finish();
    };
    socket.once('connect', () => {
      socket.write(head);
      write();
    });
  });
}

function parseAnswers(bytes: Buffer): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let offset = 0;
  for (;;) {
    const end = bytes.indexOf('\r\n\r\n', offset);
    if (end < 0) return answers;
    const head = parseResponse(`${bytes.subarray(offset, end).toString('latin1')}\r\n\r\n`);
    const length = Number(head.headers['content-length'] ?? 0);
    if (end + 4 + length > bytes.length) return answers;
    answers.push({ ...head, body: bytes.subarray(end + 4, end + 4 + length).toString('utf8') });
    offset = end + 4 + length;
  }
}

/** What a connection had received when the server closed it. */
interface Closed {
  readonly received: Buffer;
  /** The client side's error (EPIPE, ECONNRESET...), if any. */
  readonly clientError: string | undefined;
  /** From connect to the close. */
  readonly closedAfterMs: number;
}

/**
 * A fresh connection to `port` that collects what the server sends until it closes the
 * connection, then calls `onClose`; `fail` is called instead when that takes over `timeoutMs`.
 */
function untilClosed(port: number, timeoutMs: number, fail: (error: Error) => void, onClose: (closed: Closed) => void): Socket {
  const started = performance.now();
  const socket = connect({ port, host: '127.0.0.1' });
  const received: Buffer[] = [];
  let clientError: string | undefined;
  const timer = setTimeout(() => {
    socket.destroy();
    fail(new Error(`server did not close the connection within ${timeoutMs} ms`));
  }, timeoutMs);
  socket.on('data', (data: Buffer) => received.push(data));
  socket.on('error', (error: NodeJS.ErrnoException) => {
    clientError = error.code ?? error.message;
  });
  socket.on('close', () => {
    clearTimeout(timer);
    onClose({ received: Buffer.concat(received), clientError, closedAfterMs: performance.now() - started });
  });
  return socket;
}
