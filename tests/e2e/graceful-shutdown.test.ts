/**
 * A 202 is a promise: the event is in the stream and will be confirmed. This stops the launcher
 * with SIGTERM while clients are still posting, then checks every promise against the data the
 * embedded Redis left on disk, and that a restart confirms whatever was still unconfirmed.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningRedisServer, freePort, startRedisServer } from '@ddup/redis-process';
import { eventually, postJson, sampleEvent } from '@ddup/test-utils';
import {
  API,
  EVENTS_STREAM,
  type Launcher,
  type TestClient,
  cleanupLauncher,
  connectClient,
  makeTempDir,
  removeDir,
  seenState,
  startLauncher,
  untilAllConfirmed,
} from './ddup-process.ts';

/** Concurrent client loops, and a bound on the traffic they make together. */
const LOOPS = 4;
const MAX_REQUESTS = 3_000;
const MAX_TRAFFIC_MS = 10_000;
/** SIGTERM once this many events were accepted (or after SIGTERM_AFTER_MS, whichever is first). */
const SIGTERM_AFTER_ACCEPTED = 150;
const SIGTERM_AFTER_MS = 5_000;

interface Accepted {
  readonly id: string;
  readonly hash: string;
}

let dataDir: string;
let launcher: Launcher | undefined;
let plainRedis: RunningRedisServer | undefined;
let client: TestClient | undefined;

beforeAll(() => {
  dataDir = makeTempDir('ddup-e2e-shutdown-');
});

afterAll(async () => {
  client?.destroy();
  await plainRedis?.stop();
  await cleanupLauncher(launcher);
  removeDir(dataDir);
});

interface Traffic {
  readonly accepted: Accepted[];
  /** Status codes other than 202, with how often each was answered. */
  readonly otherStatuses: Map<number, number>;
  /** Requests that got no HTTP answer (refused, reset). */
  failed: number;
  sent: number;
}

/** Requests that got an HTTP answer, 202 or not. */
function answered(traffic: Traffic): number {
  return traffic.accepted.length + [...traffic.otherStatuses.values()].reduce((sum, count) => sum + count, 0);
}

/** Posts distinct events from LOOPS concurrent loops until `stop()` is true or the bounds are reached. */
async function postEvents(url: string, traffic: Traffic, stop: () => boolean): Promise<void> {
  const run = randomUUID();
  const deadline = Date.now() + MAX_TRAFFIC_MS;
  const loop = async (loopIndex: number) => {
    for (let i = 0; !stop() && traffic.sent < MAX_REQUESTS && Date.now() < deadline; i++) {
      traffic.sent++;
      try {
        const response = await postJson(url, JSON.stringify(sampleEvent(`${run}-${loopIndex}-${i}`)));
        if (response.status === 202) {
          traffic.accepted.push({ id: String(response.json.id), hash: String(response.json.hash) });
        } else {
          traffic.otherStatuses.set(response.status, (traffic.otherStatuses.get(response.status) ?? 0) + 1);
        }
      } catch {
        traffic.failed++;
        await sleep(20);
      }
    }
  };
  await Promise.all(Array.from({ length: LOOPS }, (_, index) => loop(index)));
}

it('graceful shutdown loses no accepted event', { timeout: 240_000 }, async () => {
  const port = await freePort();
  launcher = startLauncher({ dataDir, port });
  await launcher.ready();
  const running = launcher;

  // 1. Traffic, and SIGTERM in the middle of it.
  const traffic: Traffic = { accepted: [], otherStatuses: new Map(), failed: 0, sent: 0 };
  let exited = false;
  void running.process.exited.then(() => (exited = true));
  const posting = postEvents(`${running.baseUrl}${API}/events`, traffic, () => exited);
  const trafficStarted = Date.now();
  await eventually(
    'some events accepted before SIGTERM',
    () => traffic.accepted.length >= SIGTERM_AFTER_ACCEPTED || (traffic.accepted.length > 0 && Date.now() - trafficStarted > SIGTERM_AFTER_MS),
    30_000,
  );
  const acceptedBeforeSignal = traffic.accepted.length;
  const answeredBeforeSignal = answered(traffic);
  const exitCode = await running.stop('SIGTERM');
  await posting;
  const output = running.process.output();
  expect(exitCode, output).toBe(0);
  // The signal came under traffic: requests in flight were still answered after it (a gateway
  // that dropped its connections on SIGTERM would answer none).
  expect(answered(traffic), 'requests answered after SIGTERM').toBeGreaterThan(answeredBeforeSignal);
  // Only 202 and 503 are answers a client may get from a stopping gateway (no 409, 422 or 500).
  expect(
    [...traffic.otherStatuses.keys()].filter((status) => status !== 503),
    JSON.stringify([...traffic.otherStatuses]),
  ).toEqual([]);
  const promised = traffic.accepted;
  expect(new Set(promised.map((event) => event.id)).size).toBe(promised.length);

  // 2. Everything promised is in the AOF the embedded Redis left behind.
  plainRedis = await startRedisServer({ bin: 'redis-server', dir: join(dataDir, 'redis'), appendOnly: true });
  client = await connectClient(plainRedis.url);
  const entries = (await client.xRange(EVENTS_STREAM, '-', '+')) ?? [];
  const stored = new Map(entries.map((entry) => [entry.id, entry.message?.hash]));
  const missing = promised.filter((event) => stored.get(event.id) !== event.hash);
  expect(missing, `${missing.length} of ${promised.length} accepted events not in ${EVENTS_STREAM} with their hash`).toEqual([]);
  const plain = client;
  const seen = await Promise.all(promised.map((event) => seenState(plain, event.hash)));
  const forgotten = promised.filter((_, index) => seen[index] !== 'pending' && seen[index] !== 'processed');
  expect(forgotten, `${forgotten.length} accepted events not remembered by the index`).toEqual([]);
  client.destroy();
  client = undefined;
  await plainRedis.stop();
  plainRedis = undefined;

  // 3. A restart on the same data confirms everything still unconfirmed.
  launcher = startLauncher({ dataDir, port: await freePort() });
  await launcher.ready();
  client = await connectClient(launcher.embeddedRedis().url);
  const redis = client;
  await untilAllConfirmed(redis, 'lag 0 and pending 0 in ddup-workers after the restart');
  let unconfirmed: Accepted[] = [];
  await eventually(
    'every accepted event processed',
    async () => {
      const states = await Promise.all(promised.map((event) => seenState(redis, event.hash)));
      unconfirmed = promised.filter((_, index) => states[index] !== 'processed');
      return unconfirmed.length === 0;
    },
    30_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; ${unconfirmed.length} of ${promised.length} not processed, e.g. ${JSON.stringify(unconfirmed.slice(0, 3))}`);
  });
  client.destroy();
  client = undefined;

  const secondExit = await launcher.stop('SIGTERM');
  expect(secondExit, launcher.process.output()).toBe(0);
  console.info(
    `graceful shutdown: ${traffic.sent} requests, ${promised.length} accepted (${acceptedBeforeSignal} before SIGTERM), ` +
      `${traffic.failed} without an answer, other statuses ${JSON.stringify([...traffic.otherStatuses])}`,
  );
});
