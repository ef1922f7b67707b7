import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '@ddup/redis-process';
import { type ServiceProcess, eventually, startService } from '@ddup/test-utils';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The Node gateway as its own process (`node src/main.ts`), as it runs in production. */
export interface GatewayProcess {
  readonly port: number;
  readonly pid: number;
  readonly service: ServiceProcess;
}

/** Starts main.ts on a free port with `env` (give it REDIS_URL); resolves once it listens and its Redis answers. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const service = startService(MAIN, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env });
  try {
    await eventually(
      'GET /readyz → 200',
      async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/readyz`);
          await response.arrayBuffer();
          return response.status === 200;
        } catch {
          return false;
        }
      },
      30_000,
    );
  } catch (error) {
    await service.stop('SIGKILL');
    throw new Error(`${String(error)}\noutput:\n${service.output()}`);
  }
  return { port, pid: service.pid, service };
}

/** Resident memory of a process, in bytes, from /proc/<pid>/status (VmRSS). */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; `peak` is the highest seen. */
export function sampleRss(pid: number, everyMs = 20): { readonly peak: () => number; stop: () => number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process is gone
    }
  }, everyMs);
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
