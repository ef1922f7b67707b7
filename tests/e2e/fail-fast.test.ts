/**
 * Failing fast where waiting helps nobody (issue 19, item 10), with real processes: a PORT taken
 * by another process stops the gateway and the launcher at once with one line naming the port
 * (the launcher never reports the other process as "ready"); a Redis that accepts connections
 * and never answers is reported every few seconds by address, a stop does not hang on it, and
 * REDIS_CONNECT_TIMEOUT_MS makes gateway, consumer and launcher exit 2 naming it.
 */
import { type Server, createServer } from 'node:http';
import { type Server as TcpServer, type Socket, createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { type ServiceProcess, startService } from '@ddup/test-utils';
import { CONSUMER_ENTRY, GATEWAY_ENTRY, LAUNCHER_ENTRY, logRecords, makeTempDir, removeDir } from './ddup-process.ts';

const started: ServiceProcess[] = [];
let other: Server;
let takenPort: number;
let silent: TcpServer;
const sockets = new Set<Socket>();
let silentUrl: string;
let dataDir: string;

beforeAll(async () => {
  // Another service on the port, which would answer the launcher's readiness check.
  other = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  takenPort = (other.address() as AddressInfo).port;
  // A "Redis" that accepts connections and never says a word.
  silent = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  dataDir = makeTempDir('ddup-e2e-fail-fast-');
});

afterAll(async () => {
  await Promise.all(started.map((service) => service.stop('SIGKILL')));
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await new Promise((resolve) => other.close(resolve));
  removeDir(dataDir);
});

function start(entry: string, env: Record<string, string>): ServiceProcess {
  const service = startService(entry, { LOG_LEVEL: 'info', DDUP_DATA_DIR: dataDir, ...env });
  started.push(service);
  return service;
}

/** Exit code and how long it took from start, in ms. */
async function exitOf(service: ServiceProcess, startedAt: number): Promise<{ code: number | null; ms: number }> {
  const code = await service.exited;
  return { code, ms: Math.round(performance.now() - startedAt) };
}

const errorLines = (output: string) => logRecords(output).filter((record) => record.level === 'error');

describe('a PORT another process holds', () => {
  it('stops the gateway alone at once: exit 2, one line naming the port', async () => {
    const startedAt = performance.now();
    const gateway = start(GATEWAY_ENTRY, { REDIS_URL: silentUrl, PORT: String(takenPort), HOST: '127.0.0.1' });
    const { code, ms } = await exitOf(gateway, startedAt);
    console.log(`gateway alone on a taken port: exit ${code} after ${ms} ms`);
    expect(code).toBe(2);
    const errors = errorLines(gateway.output());
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(`port ${takenPort} is already in use`);
  });

  it('stops the launcher at once, before starting anything, and it never says "ready"', async () => {
    const startedAt = performance.now();
    const launcher = start(LAUNCHER_ENTRY, { PORT: String(takenPort), HOST: '127.0.0.1' });
    const { code, ms } = await exitOf(launcher, startedAt);
    console.log(`pnpm start on a taken port: exit ${code} after ${ms} ms`);
    expect(code).toBe(2);
    const output = launcher.output();
    expect(output).toContain(`port ${takenPort} is already in use`);
    expect(output).not.toContain('ddup is ready');
    expect(output).not.toContain('embedded redis-server started');
    expect(output.split('\n').filter((line) => line.includes(`port ${takenPort}`))).toHaveLength(1);
  });
});

describe('a REDIS_URL that never answers', () => {
  it('is reported every few seconds by address, one line per process, and a stop does not hang on it', async () => {
    const services = {
      gateway: start(GATEWAY_ENTRY, { REDIS_URL: silentUrl, PORT: String(await freePort()), HOST: '127.0.0.1' }),
      // Four connections, one line.
      consumer: start(CONSUMER_ENTRY, { REDIS_URL: silentUrl, CONSUMER_CONCURRENCY: '4', CONSUMER_METRICS_PORT: '0' }),
    };
    for (const [name, service] of Object.entries(services)) {
      await service.waitForOutput(/has not answered for \d+ s[\s\S]*has not answered for \d+ s/, 20_000);
      const records = logRecords(service.output());
      const reports = records.filter((record) => record.message.includes('has not answered'));
      for (const report of reports) expect(report.message).toContain(silentUrl);
      const seconds = reports.map((report) => Number(report.seconds));
      // One line per interval: the seconds never repeat.
      expect(new Set(seconds).size, `${name}: ${seconds.join(', ')}`).toBe(seconds.length);
      // Every warning of the outage is that one line (not one per connection or per attempt).
      expect(records.filter((record) => record.level === 'warn' && !reports.includes(record) && !record.message.includes('TENANTS_FILE'))).toEqual([]);
      const stoppedAt = performance.now();
      expect(await service.stop('SIGTERM')).toBe(0);
      console.log(
        `${name}: ${reports.length} lines at ${seconds.join(', ')} s; stopped ${Math.round(performance.now() - stoppedAt)} ms after SIGTERM with a silent Redis`,
      );
    }
  });

  it.each([
    { name: 'gateway', entry: GATEWAY_ENTRY },
    { name: 'consumer', entry: CONSUMER_ENTRY },
    { name: 'launcher', entry: LAUNCHER_ENTRY },
  ])('with REDIS_CONNECT_TIMEOUT_MS stops the $name: exit 2 naming the address', async ({ entry }) => {
    const startedAt = performance.now();
    const service = start(entry, {
      REDIS_URL: silentUrl,
      REDIS_CONNECT_TIMEOUT_MS: '1500',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      CONSUMER_METRICS_PORT: '0',
    });
    const { code, ms } = await exitOf(service, startedAt);
    console.log(`${entry.split('/').at(-3)} with a silent Redis and REDIS_CONNECT_TIMEOUT_MS=1500: exit ${code} after ${ms} ms`);
    expect(code).toBe(2);
    expect(service.output()).toContain(`redis at ${silentUrl} did not answer within REDIS_CONNECT_TIMEOUT_MS=1500`);
  });
});
