import { connect } from 'node:net';

/** An error reply (`-ERR ...`, `-NOAUTH ...`): returned, not thrown, so callers can tell it from a failed connection. */
export class RespErrorReply {
  constructor(readonly message: string) {}
}

export type RespReply = string | number | null | RespErrorReply | RespReply[];

export interface RespOptions {
  readonly host?: string;
  readonly timeoutMs?: number;
}

/** One command as RESP (an array of bulk strings). */
export function encodeCommand(command: readonly string[]): string {
  return `*${command.length}\r\n${command.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Parses one reply at `offset`; undefined while the buffer does not hold all of it yet. */
function parseReply(buffer: Buffer, offset: number): { reply: RespReply; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset, 'latin1');
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset] ?? 0);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, next: afterLine };
    case '-':
      return { reply: new RespErrorReply(line), next: afterLine };
    case ':':
      return { reply: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { reply: buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, next);
        if (!item) return undefined;
        items.push(item.reply);
        next = item.next;
      }
      return { reply: items, next };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

/**
 * Sends `commands` pipelined over one raw connection and resolves with one reply per command.
 * Rejects when the connection fails, closes early or `timeoutMs` passes. Kept free of a client
 * library (as `ping`) so that tools can probe any server, ours or not.
 */
export function sendCommands(port: number, commands: readonly (readonly string[])[], options: RespOptions = {}): Promise<RespReply[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: options.host ?? '127.0.0.1' });
    let buffer = Buffer.alloc(0);
    const replies: RespReply[] = [];
    let settled = false;
    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    };
    socket.setTimeout(options.timeoutMs ?? 1_000, () => finish(new Error(`no answer from 127.0.0.1:${port} in time`)));
    socket.once('error', finish);
    socket.once('close', () => finish(new Error(`127.0.0.1:${port} closed the connection after ${replies.length} of ${commands.length} replies`)));
    socket.once('connect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        for (;;) {
          const parsed = parseReply(buffer, 0);
          if (!parsed) break;
          replies.push(parsed.reply);
          buffer = buffer.subarray(parsed.next);
          if (replies.length === commands.length) return finish(undefined);
        }
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/** `commands` preceded by `AUTH password` when there is one; the replies of `commands` only. */
export async function sendAuthenticated(
  port: number,
  password: string | undefined,
  commands: readonly (readonly string[])[],
  options: RespOptions = {},
): Promise<RespReply[]> {
  if (password === undefined) return sendCommands(port, commands, options);
  const [, ...replies] = await sendCommands(port, [['AUTH', password], ...commands], options);
  return replies;
}
