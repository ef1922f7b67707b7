import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, resolveExecutable } from '@ddup/redis-process';
import { startProcess } from './service-process.ts';

/** A nats-server with JetStream this test started on a free port, its store in a temporary directory. */
export interface TestNats {
  /** nats://127.0.0.1:port */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGKILL if it lingers) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const READY = /Server is ready/;

export async function startTestNats(): Promise<TestNats> {
  const bin = resolveExecutable('nats-server', process.env.PATH);
  const dir = mkdtempSync(join(tmpdir(), 'ddup-nats-'));
  for (let tries = 1; ; tries += 1) {
    const port = await freePort();
    const server = startProcess(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { env: { PATH: process.env.PATH ?? '' } });
    try {
      await server.waitForOutput(READY, 15_000);
    } catch (error) {
      await server.stop('SIGKILL');
      if (tries < 3 && /address already in use/i.test(server.output())) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    let stopped: Promise<void> | undefined;
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      pid: server.pid,
      stop() {
        stopped ??= (async () => {
          const timer = setTimeout(() => void server.stop('SIGKILL'), 5000);
          await server.stop('SIGTERM');
          clearTimeout(timer);
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
}
