import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExecutable } from '@ddup/redis-process';
import { startServerOnFreePort } from './server-on-free-port.ts';

/** A nats-server with JetStream this test started on a free port, its store in a temporary directory. */
export interface TestNats {
  /** nats://127.0.0.1:port */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGKILL if it lingers) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export async function startTestNats(): Promise<TestNats> {
  const bin = resolveExecutable('nats-server', process.env.PATH);
  const dir = mkdtempSync(join(tmpdir(), 'ddup-nats-'));
  const server = await startServerOnFreePort({
    command: bin,
    args: (port) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    env: { PATH: process.env.PATH ?? '' },
    ready: /Server is ready/,
    portTaken: /address already in use/i,
    stopSignal: 'SIGTERM',
    cleanUp: () => rmSync(dir, { recursive: true, force: true }),
  });
  return { url: `nats://127.0.0.1:${server.port}`, port: server.port, pid: server.pid, stop: server.stop };
}
