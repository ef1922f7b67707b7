import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventHash } from '@ddup/hashing';
import { freePort } from '@ddup/redis-process';
import { eventsStreamKey, sinkGroupName } from '@ddup/store';
import {
  type ServiceProcess,
  type TestNats,
  type TestPostgres,
  type TestRedis,
  type WebhookReceiver,
  eventually,
  startService,
  startTestNats,
  startTestPostgres,
  startTestRedis,
  startWebhookReceiver,
  testStore,
} from '@ddup/test-utils';

// Issue 22's pipeline with real processes: a consumer delivering to a webhook receiver that checks
// signatures, a real nats-server with JetStream and a real PostgreSQL; the consumer killed with
// SIGKILL mid-delivery, the receiver dropping requests and then down for a while, a 410, a tenants
// filter, SIGHUP, and the gateway's admin routes (lookup per sink, dead letters, range replay).

const CONSUMER_MAIN = fileURLToPath(new URL('../../apps/consumer/src/main.ts', import.meta.url));
const GATEWAY_MAIN = fileURLToPath(new URL('../../apps/gateway/src/main.ts', import.meta.url));
const CLI_MAIN = fileURLToPath(new URL('../../apps/ddup/src/cli/main.ts', import.meta.url));
const SHARDS = 2;
const WINDOW = 3_600;
const TOKEN = 'admin-token-for-sink-tests-0123456789';
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const PLAIN = 240;
const ACME = 60;
/** Fast retries, so an outage of a few seconds proves what a 30-second one would: nothing is given up while attempts last. */
const RETRIES = { max_attempts: 1000, initial_backoff_ms: 20, max_backoff_ms: 300, timeout_ms: 1000, batch_size: 25 };

const store = testStore({ shardCount: SHARDS, windowSeconds: WINDOW });
const processes: ServiceProcess[] = [];
const receivers: WebhookReceiver[] = [];
let redis: TestRedis;
let client: Awaited<ReturnType<TestRedis['client']>>;
let nats: TestNats;
let pg: TestPostgres;
let sql: postgres.Sql;
let dir: string;
let sinksFile: string;
let hooks: WebhookReceiver;
let acme: WebhookReceiver;
let gone: WebhookReceiver;
let consumer: ServiceProcess;
let metricsPort: number;
const accepted: string[] = [];
const acmeAccepted: string[] = [];

async function receiver(respond?: Parameters<typeof startWebhookReceiver>[0]['respond'], port?: number): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver({ secret: SECRET, ...(respond ? { respond } : {}), ...(port ? { port } : {}) });
  receivers.push(started);
  return started;
}

function writeSinks(sinks: object[]): void {
  writeFileSync(sinksFile, JSON.stringify({ sinks }));
}

function webhookSink(id: string, target: WebhookReceiver, extra: object = {}) {
  return { id, type: 'webhook', url: target.url, secret: SECRET, start: 'earliest', ...RETRIES, ...extra };
}

function baseSinks() {
  return [
    webhookSink('hooks', hooks),
    { id: 'bus', type: 'nats', servers: nats.url, subject: 'ddup.events', stream: 'DDUP_TEST', start: 'earliest', ...RETRIES },
    { id: 'warehouse', type: 'postgres', url: pg.url, table: 'ddup_events', start: 'earliest', ...RETRIES },
    webhookSink('acme', acme, { tenants: ['acme'] }),
    webhookSink('gone', gone),
  ];
}

function startConsumer(name: string, port: number): ServiceProcess {
  const started = startService(CONSUMER_MAIN, {
    REDIS_URL: redis.url,
    STREAM_SHARDS: String(SHARDS),
    DEDUP_WINDOW_SECONDS: String(WINDOW),
    CONSUMER_NAME: name,
    CONSUMER_CONCURRENCY: '1',
    CONSUMER_BLOCK_MS: '200',
    CONSUMER_CLAIM_IDLE_MS: '1000',
    CONSUMER_CLAIM_INTERVAL_MS: '200',
    CONSUMER_METRICS_PORT: String(port),
    SINKS_FILE: sinksFile,
    LOG_LEVEL: 'info',
  });
  processes.push(started);
  return started;
}

/** Admits `count` events as the gateway does (tenant `acme`'s in its own dedup space); notes their hashes. */
async function admit(prefix: string, count: number, tenant?: string): Promise<string[]> {
  const space = tenant === undefined ? store : store.forTenant(tenant);
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const { canonical, hash } = eventHash({ user_id: `${prefix}-${i}`, event_type: 'e', timestamp: 't', payload: {} }, 'python');
    await space.admit(client, { hash, canonical });
    hashes.push(hash);
  }
  accepted.push(...hashes);
  if (tenant === 'acme') acmeAccepted.push(...hashes);
  return hashes;
}

async function jetStreamCount(): Promise<number> {
  const connection = await connect({ servers: nats.url });
  try {
    return (await (await jetstreamManager(connection)).streams.info('DDUP_TEST')).state.messages;
  } catch {
    return 0;
  } finally {
    await connection.close();
  }
}

async function postgresRows(): Promise<{ rows: number; hashes: number }> {
  try {
    const [row] = await sql`select count(*)::int as rows, count(distinct hash)::int as hashes from ddup_events`;
    return { rows: Number(row?.rows), hashes: Number(row?.hashes) };
  } catch {
    return { rows: 0, hashes: 0 };
  }
}

/** Distinct webhook-ids a receiver (or several: one brought back on the same port) took with a 2xx. */
function delivered(...targets: WebhookReceiver[]): Set<string> {
  return new Set(targets.flatMap((target) => [...target.deliveredIds()]));
}

async function sinkPending(sink: string): Promise<number> {
  let pending = 0;
  for (let shard = 0; shard < SHARDS; shard++) {
    const groups = await client.sendCommand<unknown[][]>(['XINFO', 'GROUPS', eventsStreamKey(shard)]);
    const group = groups.find((flat) => flat[flat.indexOf('name') + 1] === sinkGroupName(sink));
    pending += group ? Number(group[group.indexOf('pending') + 1]) : 0;
  }
  return pending;
}

async function metricsText(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

beforeAll(async () => {
  [redis, nats, pg] = await Promise.all([startTestRedis(), startTestNats(), startTestPostgres()]);
  client = await redis.client();
  sql = postgres(pg.url, { max: 1, onnotice: () => undefined });
  dir = mkdtempSync(join(tmpdir(), 'ddup-sinks-'));
  sinksFile = join(dir, 'sinks.json');
  acme = await receiver();
  gone = await receiver(() => ({ status: 410 }));
  // Every fifth request dropped mid-way (the receiver dying mid-request), then, from the 40th on, hanging for good.
  hooks = await receiver(({ index }) => (index >= 40 ? 'hang' : index % 5 === 1 ? 'drop' : { status: 204 }));
  writeSinks(baseSinks());
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((each) => each.stop('SIGKILL')));
  await Promise.all(receivers.map((each) => each.close()));
  await sql?.end({ timeout: 1 });
  await Promise.all([nats?.stop(), pg?.stop(), redis?.cleanup()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a bad SINKS_FILE stops the consumer with exit 2, naming the sink and the field', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ sinks: [{ id: 'hooks', type: 'webhook', url: 'ftp://nowhere', secret: SECRET }] }));
  const started = startService(CONSUMER_MAIN, { REDIS_URL: redis.url, SINKS_FILE: bad });
  processes.push(started);
  expect(await started.exited).toBe(2);
  expect(started.output()).toMatch(/sinks\[0\] \("hooks"\): url/);
});

it('every accepted event reaches every sink once: through SIGKILL mid-delivery, dropped requests, a receiver down for a while, a 410 elsewhere', async () => {
  await admit('plain', PLAIN / 2);
  await admit('acme', ACME, 'acme');
  const doomed = startConsumer('doomed', await freePort());
  // The receiver hangs from its 40th request on: the consumer is then mid-delivery, entries in hand.
  await eventually('the webhook sink is mid-delivery', () => hooks.received.length > 40, 30_000);
  await doomed.stop('SIGKILL');
  expect(await sinkPending('hooks')).toBeGreaterThan(0);

  // The receiver goes down (connections refused) while a new consumer takes over and more events come.
  const port = hooks.port;
  await hooks.close();
  metricsPort = await freePort();
  consumer = startConsumer('rescuer', metricsPort);
  await admit('plain-later', PLAIN / 2);
  await eventually('the other sinks have everything while the webhook is down', async () => (await postgresRows()).rows === accepted.length, 30_000);
  expect(delivered(hooks).size).toBeLessThan(accepted.length);
  // Down long enough for the webhook sink's breaker to open: it pauses, then probes until the receiver is back.
  await eventually(
    'the webhook sink’s breaker is open',
    async () => /ddup_sink_breaker_state\{sink="hooks",type="webhook"\} 2/.test(await metricsText()),
    30_000,
  );
  const back = await receiver(undefined, port);

  await eventually(
    'every sink has every event',
    async () => delivered(hooks, back).size === accepted.length && (await jetStreamCount()) === accepted.length && delivered(acme).size === acmeAccepted.length,
    60_000,
  );
  expect([...delivered(hooks, back)].sort()).toEqual([...accepted].sort());
  expect(await postgresRows()).toEqual({ rows: accepted.length, hashes: accepted.length });
  expect(await jetStreamCount()).toBe(accepted.length);
  // The tenants filter: acme's sink got acme's events and nothing else.
  expect([...delivered(acme)].sort()).toEqual([...acmeAccepted].sort());
  expect(hooks.received.every((request) => request.verified)).toBe(true);
  // The 410: that sink disabled, said in the log and the metrics, its entries left pending.
  await consumer.waitForOutput(/sink disabled/);
  await eventually(
    'everything acknowledged but for the disabled sink',
    async () => (await sinkPending('hooks')) === 0 && (await sinkPending('warehouse')) === 0,
  );
  expect(await sinkPending('gone')).toBeGreaterThan(0);
  const metrics = await metricsText();
  expect(metrics).toMatch(/ddup_sink_breaker_state\{sink="gone",type="webhook"\} 3/);
  expect(metrics).toMatch(/ddup_sink_failed_total\{sink="gone",type="webhook",reason="gone"\} [1-9]/);
  expect(metrics).toMatch(/ddup_sink_lag\{sink="warehouse",type="postgres"\} 0/);
  expect(metrics).toMatch(/ddup_sink_lag\{sink="gone",type="webhook"\} [1-9]/);
  hooks = back;
}, 120_000);

it('the admin API says per sink where an event is, lists and replays a sink’s dead letters, and replays a time range without duplicates', async () => {
  const gatewayPort = await freePort();
  const gateway = startService(GATEWAY_MAIN, {
    REDIS_URL: redis.url,
    STREAM_SHARDS: String(SHARDS),
    DEDUP_WINDOW_SECONDS: String(WINDOW),
    PORT: String(gatewayPort),
    HOST: '127.0.0.1',
    DDUP_ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  });
  processes.push(gateway);
  const admin = async (method: string, path: string, body?: object) => {
    const response = await fetch(`http://127.0.0.1:${gatewayPort}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  await eventually(
    'the gateway answers',
    () =>
      fetch(`http://127.0.0.1:${gatewayPort}/readyz`).then(
        (response) => response.ok,
        () => false,
      ),
    30_000,
  );
  const first = accepted[0] as string;
  expect((await admin('GET', `/events/${first}`)).json.sinks).toEqual({
    acme: 'delivered',
    bus: 'delivered',
    gone: 'pending',
    hooks: 'delivered',
    warehouse: 'delivered',
  });

  // The webhook refuses one event for good (400): it goes to that sink's dead letters only.
  const refused = eventHash({ user_id: 'refused-0', event_type: 'e', timestamp: 't', payload: {} }, 'python').hash;
  hooks.respondWith(({ id, verified }) => ({ status: verified && id !== refused ? 204 : 400 }));
  await admit('refused', 1);
  await eventually('the webhook sink dead-lettered it', async () => (await admin('GET', '/sinks/hooks/dead-letters')).json.count === 1);
  const letters = (await admin('GET', '/sinks/hooks/dead-letters')).json.dead_letters as { hash: string }[];
  expect(letters.map((letter) => letter.hash)).toEqual([refused]);
  await eventually('the other sinks have it', async () => (await postgresRows()).rows === accepted.length);
  expect((await admin('GET', `/events/${refused}`)).json.sinks).toMatchObject({ hooks: 'dead', warehouse: 'delivered' });
  hooks.respondWith(undefined);
  expect((await admin('POST', '/sinks/hooks/dead-letters/replay')).json.replayed).toBe(1);
  await eventually('the replayed letter reaches the webhook', () => delivered(hooks).has(refused));
  expect((await admin('GET', '/sinks/hooks/dead-letters')).json.count).toBe(0);

  // A time range replayed to one sink: every event sent again, the receiver's distinct ids unchanged.
  const before = hooks.received.length;
  const replay = await admin('POST', '/sinks/hooks/replay', { from: 0, to: new Date().toISOString() });
  expect(replay.json.replayed).toBe(accepted.length);
  await eventually('the range is delivered again', () => hooks.received.length - before >= accepted.length, 30_000);
  await eventually('the webhook has every event once more', () => delivered(hooks).size === accepted.length, 30_000);
  expect([...delivered(hooks)].sort()).toEqual([...accepted].sort());
  expect(await postgresRows()).toEqual({ rows: accepted.length, hashes: accepted.length });
  expect((await admin('POST', '/sinks/nope/replay', { from: 0 })).status).toBe(404);
  const listed = (await admin('GET', '/sinks')).json.sinks as { id: string; dead_letters: number }[];
  expect(listed.map((sink) => sink.id)).toEqual(['acme', 'bus', 'gone', 'hooks', 'warehouse']);

  // The dashboard's stream carries the same backlog per sink.
  const stream = await fetch(`http://127.0.0.1:${gatewayPort}/dashboard/stream`);
  const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!/^data: .*$/m.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  const figures = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? '{}') as { store: { sinks: { id: string; dead_letters: number }[] } };
  expect(figures.store.sinks.map((sink) => sink.id)).toEqual(listed.map((sink) => sink.id));
}, 90_000);

it('SIGHUP rereads SINKS_FILE: an added sink starts from the earliest entry, a removed one stops', async () => {
  const late = await receiver();
  writeSinks([...baseSinks().filter((sink) => sink.id !== 'gone'), webhookSink('late', late)]);
  process.kill(consumer.pid, 'SIGHUP');
  await consumer.waitForOutput(/sinks reloaded/);
  await eventually('the added sink has every event still in the streams', () => delivered(late).size === accepted.length, 30_000);
  expect([...delivered(late)].sort()).toEqual([...accepted].sort());
  expect(consumer.output()).toMatch(/sink stopped.*gone|gone.*sink stopped/);

  // `ddup inspect` shows each sink's backlog: the disabled, now removed, sink's entries still wait.
  const cli = startService(CLI_MAIN, { REDIS_URL: redis.url, DEDUP_WINDOW_SECONDS: String(WINDOW) }, ['inspect', '--json']);
  processes.push(cli);
  expect(await cli.exited, cli.output()).toBe(0);
  const { sinks } = JSON.parse(cli.output()) as { sinks: { sink: string; lag: number; pending: number; deadLetters: number }[] };
  expect(sinks.map((sink) => sink.sink)).toEqual(['acme', 'bus', 'gone', 'hooks', 'late', 'warehouse']);
  const gone = sinks.find((sink) => sink.sink === 'gone');
  expect((gone?.lag ?? 0) + (gone?.pending ?? 0)).toBeGreaterThan(0);
}, 60_000);
