/**
 * `pnpm start` keeps its children running: a consumer SIGKILLed under load is restarted while the
 * gateway keeps serving, and nothing accepted is lost; a child that keeps dying is given up after
 * CHILD_MAX_RESTARTS_PER_MINUTE restarts and the launcher stops with status 1; a child that exits
 * with status 2 (it reported a setting or data layout it cannot run with) is not restarted and the
 * launcher stops with status 2. Real launcher, real children, real redis-servers, real signals.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@ddup/redis-process';
import { DEFAULT_INDEX_CAPACITY, checkLayout } from '@ddup/store';
import {
  type ServiceProcess,
  type TestRedis,
  eventually,
  freeLauncherPort,
  postJson,
  sampleEvent,
  startService,
  startTestRedis,
  testStore,
} from '@ddup/test-utils';
import {
  API,
  LAUNCHER_ENTRY,
  type Launcher,
  type LogRecord,
  type TestClient,
  childProcessesOf,
  cleanupLauncher,
  connectClient,
  isAlive,
  logRecords,
  makeTempDir,
  removeDir,
  seenState,
  startLauncher,
  untilAllConfirmed,
} from './ddup-process.ts';

const EXIT_TIMEOUT_MS = 90_000;

let dataDir: string;
let launcher: Launcher | undefined;
let client: TestClient | undefined;
let redis: TestRedis | undefined;
const services: ServiceProcess[] = [];

beforeAll(() => {
  dataDir = makeTempDir('ddup-e2e-supervision-');
});

afterAll(async () => {
  client?.destroy();
  await cleanupLauncher(launcher);
  await Promise.all(services.map((service) => service.stop('SIGKILL')));
  await redis?.cleanup();
  removeDir(dataDir);
});

const ddupRecords = (output: string, message: string): LogRecord[] =>
  logRecords(output).filter((record) => record.name === 'ddup' && record.message === message);
const timeOf = (record: LogRecord | undefined): number => Date.parse(String(record?.time));

/** Starts the launcher with `env` and waits (bounded) for it to exit on its own. */
async function exitOf(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const service = startService(LAUNCHER_ENTRY, { LOG_LEVEL: 'info', ...env });
  services.push(service);
  const code = await Promise.race([service.exited, sleep(EXIT_TIMEOUT_MS).then(() => 'running' as const)]);
  if (code === 'running') throw new Error(`the launcher still runs ${EXIT_TIMEOUT_MS} ms after start; output:\n${service.output()}`);
  return { code, output: service.output() };
}

describe('a child that dies is restarted', () => {
  it('SIGKILL of the consumer under load: restarted, /healthz 200 throughout, every 202 confirmed', { timeout: 180_000 }, async () => {
    // Entries the killed consumer held are taken over once idle this long (the default is 30 s).
    launcher = startLauncher({ dataDir, port: await freeLauncherPort(), env: { CONSUMER_CLAIM_IDLE_MS: '1000', CONSUMER_CLAIM_INTERVAL_MS: '200' } });
    const before = await launcher.ready();
    const running = launcher;

    const run = randomUUID();
    const accepted: string[] = [];
    const otherAnswers: string[] = [];
    const health: { at: number; status: number }[] = [];
    let stop = false;
    const post = async (loop: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const response = await postJson(`${running.baseUrl}${API}/events`, JSON.stringify(sampleEvent(`${run}-${loop}-${i}`)));
          if (response.status === 202) accepted.push(String(response.json.hash));
          else otherAnswers.push(`${response.status} ${response.text}`);
        } catch (error) {
          otherAnswers.push(String(error));
        }
      }
    };
    const watchHealth = async () => {
      while (!stop) {
        const status = await fetch(`${running.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
          async (response) => {
            await response.body?.cancel();
            return response.status;
          },
          () => 0,
        );
        health.push({ at: Date.now(), status });
        await sleep(20);
      }
    };
    const traffic = Promise.all([post(0), post(1), post(2), post(3), watchHealth()]);

    await eventually('200 events accepted before the kill', () => accepted.length >= 200, 30_000);
    const acceptedAtKill = accepted.length;
    const killedAt = Date.now();
    process.kill(before.consumer, 'SIGKILL');
    await eventually(
      'a second "consumer pool started" (the restarted consumer)',
      () => logRecords(running.process.output()).filter((record) => record.name === 'consumer' && record.message === 'consumer pool started').length === 2,
      // A restart is a new Node process through tsx: seconds on a busy 2-core machine.
      60_000,
    );
    const restartedConsumer = Number(ddupRecords(running.process.output(), 'consumer restarted')[0]?.childPid);
    // Traffic goes on while the new consumer works, then stops.
    await eventually('200 more events accepted after the restart', () => accepted.length >= acceptedAtKill + 200, 30_000);
    stop = true;
    await traffic;

    const output = running.process.output();
    const exitRecord = ddupRecords(output, 'consumer exited unexpectedly; restarting it')[0];
    expect(exitRecord?.code, output).toBe('SIGKILL');
    expect(exitRecord?.delayMs).toBe(500);
    expect(ddupRecords(output, 'consumer restarted'), output).toHaveLength(1);
    expect(restartedConsumer).not.toBe(before.consumer);
    expect(childProcessesOf(running.process.pid).map((child) => child.pid)).toContain(restartedConsumer);
    // The gateway was never touched, and answered every request.
    expect(isAlive(before.gateway)).toBe(true);
    expect(ddupRecords(output, 'gateway restarted')).toEqual([]);
    expect(otherAnswers).toEqual([]);
    const unhealthy = health.filter((check) => check.status !== 200);
    expect(unhealthy, `${unhealthy.length} of ${health.length} /healthz checks were not 200`).toEqual([]);
    expect(health.filter((check) => check.at > killedAt).length).toBeGreaterThan(10);

    client = await connectClient(running.embeddedRedis().url);
    const redisClient = client;
    await untilAllConfirmed(redisClient, 'lag 0 and pending 0 in ddup-workers');
    const states = await Promise.all(accepted.map((hash) => seenState(redisClient, hash)));
    const unconfirmed = accepted.filter((_, index) => states[index] !== 'processed');
    expect(unconfirmed, `${unconfirmed.length} of ${accepted.length} accepted events not processed`).toEqual([]);

    const restartedAt = timeOf(ddupRecords(output, 'consumer restarted')[0]);
    const newPoolAt = timeOf(logRecords(output).filter((record) => record.name === 'consumer' && record.message === 'consumer pool started')[1]);
    console.info(
      `consumer SIGKILL: death seen after ${timeOf(exitRecord) - killedAt} ms, restarted (spawned) ${restartedAt - killedAt} ms after the kill, ` +
        `its pool started ${newPoolAt - killedAt} ms after; ${accepted.length} events accepted (${acceptedAtKill} before the kill), ` +
        `${health.length} /healthz checks all 200`,
    );

    client.destroy();
    client = undefined;
    expect(await running.stop('SIGTERM'), running.process.output()).toBe(0);
    launcher = undefined;
  });
});

describe('a child that keeps dying, or says its setting is wrong, stops ddup', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
  });

  it('gives a crash-looping gateway up after CHILD_MAX_RESTARTS_PER_MINUTE restarts with back-off, and exits 1', {
    timeout: EXIT_TIMEOUT_MS + 10_000,
  }, async () => {
    // The gateway's address is on no interface of this machine (TEST-NET-1), so each gateway
    // exits 1 at once ("cannot listen": EADDRNOTAVAIL). (A taken port is refused by the launcher
    // before it starts anything: fail-fast.test.ts.)
    const port = await freePort();
    const { code, output } = await exitOf({
      REDIS_URL: redis?.url ?? '',
      PORT: String(port),
      HOST: '192.0.2.1',
      DDUP_DATA_DIR: dataDir,
      CHILD_MAX_RESTARTS_PER_MINUTE: '2',
    });
    expect(code, output).toBe(1);
    const deaths = ddupRecords(output, 'gateway exited unexpectedly; restarting it');
    expect(
      deaths.map((record) => record.delayMs),
      output,
    ).toEqual([500, 1000]);
    const restarts = ddupRecords(output, 'gateway restarted');
    expect(restarts.map((record) => record.restarts)).toEqual([1, 2]);
    const gaveUp = logRecords(output).find((record) => record.name === 'ddup' && record.message.startsWith('gateway exited unexpectedly 3 times within 60 s'));
    expect(gaveUp?.message, output).toContain('CHILD_MAX_RESTARTS_PER_MINUTE=2');
    expect(gaveUp?.message).toContain('stopping ddup');
    // The consumer ran meanwhile and was stopped cleanly.
    expect(ddupRecords(output, 'consumer restarted')).toEqual([]);
    expect(ddupRecords(output, 'consumer stopped')[0]?.code, output).toBe(0);
    const gaps = deaths.map((death, index) => timeOf(restarts[index]) - timeOf(death));
    expect(gaps[0]).toBeGreaterThanOrEqual(490);
    expect(gaps[1]).toBeGreaterThanOrEqual(990);
    console.info(
      `gateway crash loop: restarts after ${gaps.join(' ms, ')} ms, given up ${timeOf(gaveUp) - timeOf(ddupRecords(output, 'gateway started')[0])} ms after the first start`,
    );
  });

  it('does not restart a child that exits with status 2 (a data-layout error): stops everything and exits 2', {
    timeout: EXIT_TIMEOUT_MS + 10_000,
  }, async () => {
    if (!redis) throw new Error('no test redis');
    // This Redis's data was written with one shard; a start with two must refuse it.
    const layoutClient = await redis.client();
    await checkLayout(layoutClient, testStore({ shardCount: 1 }).layout, DEFAULT_INDEX_CAPACITY);
    const { code, output } = await exitOf({ REDIS_URL: redis.url, PORT: String(await freePort()), DDUP_DATA_DIR: dataDir, STREAM_SHARDS: '2' });
    expect(code, output).toBe(2);
    const gaveUp = logRecords(output).find(
      (record) => record.name === 'ddup' && / exited with status 2 .*not restarting it; stopping ddup$/.test(record.message),
    );
    expect(gaveUp, output).toBeDefined();
    expect(output).toMatch(/STREAM_SHARDS/); // the child said why
    expect(
      logRecords(output).filter((record) => record.name === 'ddup' && /restart/.test(record.message) && record.message !== gaveUp?.message),
      output,
    ).toEqual([]);
  });
});
