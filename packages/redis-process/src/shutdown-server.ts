import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ping } from './ping.ts';

/**
 * Asks a redis-server this program does not own as a process (one left by an earlier run) to shut
 * down as it would on SIGTERM (flushing its AOF), and waits until it stops answering.
 */
export async function shutdownServer(port: number, timeoutMs = 10_000): Promise<boolean> {
  await new Promise<void>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.end('SHUTDOWN\r\n'));
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await ping(port))) return true;
    await sleep(100);
  }
  return false;
}
