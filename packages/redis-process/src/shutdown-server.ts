import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeCommand } from './resp.ts';

/** True while something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Sends AUTH (when given a password) and SHUTDOWN; resolves with what the server answered before it closed the connection. */
function sendShutdown(port: number, password: string | undefined, timeoutMs: number): Promise<string> {
  const commands = [...(password === undefined ? [] : [['AUTH', password]]), ['SHUTDOWN']];
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(commands.map(encodeCommand).join('')));
    const done = () => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, done);
    // SHUTDOWN has no reply when it works: the server closes the connection as it exits. An
    // error reply (NOAUTH, WRONGPASS, or SHUTDOWN refused) means it will not go.
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
      if (/(^|\r\n)-/.test(answer)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

/**
 * Asks a redis-server this program does not own as a process (one left by an earlier run) to shut
 * down as it would on SIGTERM (flushing its AOF), and waits until its port is closed. False when
 * it refused or is still there after `timeoutMs`. The caller must have made sure it is the right
 * server: this does not check.
 */
export async function shutdownServer(port: number, options: { readonly timeoutMs?: number; readonly password?: string } = {}): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const answer = await sendShutdown(port, options.password, timeoutMs);
  if (/(^|\r\n)-/.test(answer)) return false;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await listening(port))) return true;
    await sleep(100);
  }
  return false;
}
