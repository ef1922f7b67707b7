import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DedupEvent, eventHash } from '@ddup/hashing';
import { freePort } from '@ddup/redis-process';
import {
  TENANT_KEY_PATTERN,
  allEventsStreamKeys,
  eventsStreamKey,
  idempotencyKeyName,
  rateLimitKey,
  shardOf,
  spaceOfIdempotencyKeyName,
  spaceOfIndexBucketKey,
} from '@ddup/store';
import {
  type ServiceProcess,
  type TestCluster,
  type TestClusterClient,
  type TestRedis,
  connectTestCluster,
  eventually,
  postJson,
  sampleEvent,
  startService,
  startTestCluster,
  testStore,
  workersGroupInfo,
} from '@ddup/test-utils';
import { CONSUMER_MAIN, GATEWAY_MAIN, allConfirmed, currentMasters } from './cluster-helpers.ts';

// Tenants (TENANTS_FILE) on a real 3-master Redis Cluster, over real HTTP: each tenant's keys carry
// its shard's hash tag, so a tenant's event, its index bucket and its stream share a slot, while an
// Idempotency-Key's record and the rate-limit bucket sit in slots of their own, often on other masters.

const SHARDS = 8;
const KEYS = {
  acme: 'acme-key-0123456789',
  globex: 'globex-key-0123456789',
  limited: 'limited-key-0123456789',
  debounce: 'debounce-key-0123456789',
};
const ADMIN_TOKEN = 'cluster-admin-token-0123456789';
const ACME_WINDOW_SECONDS = 7200;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const as = (key: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...more });

let cluster: TestCluster;
let redis: TestClusterClient;
let gateway: ServiceProcess;
let consumer: ServiceProcess;
let dir: string;
let base: string;
/** The master (by port) that serves each slot, read once: nothing fails over in this file. */
let slotOwners: number[];
/** Every event a tenant got a 202 for: the consumer must confirm each. */
const admitted: { tenant: Exclude<keyof typeof KEYS, 'debounce'>; hash: string }[] = [];

const post = (body: unknown, key: string, more: Record<string, string> = {}) => postJson(`${base}/events`, JSON.stringify(body), as(key, more));
const postBatch = (body: string, key: string, more: Record<string, string> = {}) => postJson(`${base}/events/batch`, body, as(key, more));

async function slotOf(key: string): Promise<number> {
  return redis.sendCommand<number>(['CLUSTER', 'KEYSLOT', key]);
}

/** The port of the master holding `key`. */
async function masterOf(key: string): Promise<number> {
  const owner = slotOwners[await slotOf(key)];
  if (owner === undefined) throw new Error(`no master serves the slot of ${key}`);
  return owner;
}

/** The port of the master holding the shard (stream and index buckets) of an event hash. */
const masterOfEvent = (hash: string) => masterOf(eventsStreamKey(shardOf(hash, SHARDS)));

async function readSlotOwners(node: TestRedis): Promise<number[]> {
  const client = await node.client();
  const ranges = await client.sendCommand<[number, number, [string, number, ...unknown[]], ...unknown[]][]>(['CLUSTER', 'SLOTS']);
  const owners: number[] = [];
  for (const [first, last, [, port]] of ranges) for (let slot = first; slot <= last; slot++) owners[slot] = port;
  return owners;
}

/** An event of string fields only, so its hash can be computed here exactly as the gateway does. */
function orderEvent(name: string): DedupEvent {
  return { user_id: `user-${name}`, event_type: 'order', timestamp: '2026-01-01T00:00:00Z', payload: { order: name } };
}

beforeAll(async () => {
  cluster = await startTestCluster(3);
  redis = await connectTestCluster(cluster.nodes);
  slotOwners = await readSlotOwners(cluster.nodes[0] as TestRedis);
  dir = mkdtempSync(join(tmpdir(), 'ddup-cluster-tenants-'));
  const tenantsFile = join(dir, 'tenants.json');
  const digest = (key: string) => `sha256:${sha256(key)}`;
  writeFileSync(
    tenantsFile,
    JSON.stringify({
      tenants: [
        { id: 'acme', api_keys: [digest(KEYS.acme)], window_seconds: ACME_WINDOW_SECONDS, key_fields: ['user_id', 'event_type', 'payload.order_id'] },
        { id: 'globex', api_keys: [digest(KEYS.globex)] },
        // One token every 10 s: no token comes back while this file runs, so the count below is exact.
        { id: 'limited', api_keys: [digest(KEYS.limited)], rate_limit_per_second: 0.1, rate_limit_burst: 3 },
        { id: 'debounce', api_keys: [digest(KEYS.debounce)], window_seconds: 2, refresh_on_duplicate: true },
      ],
    }),
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}/api/v1/ddup_service`;
  const env = { REDIS_CLUSTER_NODES: cluster.seeds, STREAM_SHARDS: String(SHARDS), TENANTS_FILE: tenantsFile, LOG_LEVEL: 'info' };
  gateway = startService(GATEWAY_MAIN, { ...env, PORT: String(port), DDUP_ADMIN_TOKEN: ADMIN_TOKEN });
  consumer = startService(CONSUMER_MAIN, { ...env, CONSUMER_CONCURRENCY: '2' });
  await gateway.waitForOutput(/gateway listening/);
  await consumer.waitForOutput(/redis ready/);
  await eventually('gateway ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await consumer?.stop();
  await redis?.close();
  await cluster?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`tenants on a real 3-master Redis Cluster (TENANTS_FILE, STREAM_SHARDS=${SHARDS})`, () => {
  it('gives two tenants posting the same events separate dedup spaces, spread over every master', async () => {
    const events = Array.from({ length: 24 }, (_, i) => sampleEvent(`shared-${i}`, { payload: { order_id: i } }));
    for (const tenant of ['acme', 'globex'] as const) {
      const first = await Promise.all(events.map((event) => post(event, KEYS[tenant])));
      for (const answer of first) expect(answer.status, answer.text).toBe(202);
      const hashes = first.map((answer) => String(answer.json.hash));
      admitted.push(...hashes.map((hash) => ({ tenant, hash })));
      expect(new Set(await Promise.all(hashes.map(masterOfEvent))).size).toBe(3);

      const again = await Promise.all(events.map((event) => post(event, KEYS[tenant])));
      for (const [i, answer] of again.entries()) {
        expect(answer.status, answer.text).toBe(409);
        expect(answer.json).toMatchObject({ code: 'duplicate', hash: hashes[i] });
      }
    }
    // acme keys on some fields, globex on the whole event: the same event has another key in each.
    const acme = admitted.filter((event) => event.tenant === 'acme').map((event) => event.hash);
    const globex = admitted.filter((event) => event.tenant === 'globex').map((event) => event.hash);
    for (const [i, hash] of acme.entries()) expect(hash).not.toBe(globex[i]);
  });

  it('answers Idempotency-Key 409 and 422 when the key’s record is on another master than its event', async () => {
    let checked = 0;
    for (let n = 0; checked < 3 && n < 200; n++) {
      const event = orderEvent(`idem-${n}`);
      const key = `order-${n}`;
      const keyDigest = sha256(key);
      const record = idempotencyKeyName(shardOf(keyDigest, SHARDS), keyDigest, 'globex');
      const { hash } = eventHash(event, 'python');
      if ((await masterOf(record)) === (await masterOfEvent(hash))) continue;
      checked++;

      const first = await post(event, KEYS.globex, { 'idempotency-key': key });
      expect(first.status, first.text).toBe(202);
      expect(first.json.hash).toBe(hash);
      admitted.push({ tenant: 'globex', hash });
      expect(await redis.sendCommand<number>(['EXISTS', record])).toBe(1);

      const again = await post(event, KEYS.globex, { 'idempotency-key': key });
      expect(again.status, again.text).toBe(409);
      expect(again.json).toMatchObject({ code: 'duplicate', hash });
      const reused = await post(orderEvent(`idem-other-${n}`), KEYS.globex, { 'idempotency-key': key });
      expect(reused.status, reused.text).toBe(422);
      expect(reused.json.code).toBe('idempotency_key_reused');
      // Another tenant's record of the same key is another key: acme may use it.
      const elsewhere = await post(sampleEvent(`idem-acme-${n}`), KEYS.acme, { 'idempotency-key': key });
      expect(elsewhere.status, elsewhere.text).toBe(202);
      admitted.push({ tenant: 'acme', hash: String(elsewhere.json.hash) });
    }
    expect(checked).toBe(3);
  });

  it('admits a tenant’s batch keyed on its key fields across shards, retries inside it duplicates', async () => {
    const orders = Array.from({ length: 30 }, (_, i) =>
      sampleEvent(`batch-${i}`, { timestamp: '2026-01-01T00:00:00Z', payload: { order_id: 1000 + i, note: 'first try' } }),
    );
    // Same user, type and order id: the same key for acme, whatever the rest says.
    const retries = orders.map((order) => ({ ...order, timestamp: '2026-01-01T00:00:09Z', payload: { ...order.payload, note: 'retried' } }));
    const body = JSON.stringify([...orders, ...retries]);
    const first = await postBatch(body, KEYS.acme, { 'idempotency-key': 'acme-batch-1' });
    expect(first.status, first.text).toBe(200);
    expect(first.json).toMatchObject({ accepted: 30, duplicates: 30, invalid: 0 });
    const results = first.json.results as { status: string; hash: string }[];
    const hashes = results.slice(0, 30).map((result) => result.hash);
    for (const [i, result] of results.slice(30).entries()) expect(result).toMatchObject({ status: 'duplicate', hash: hashes[i] });
    admitted.push(...hashes.map((hash) => ({ tenant: 'acme' as const, hash })));
    expect(new Set(hashes.map((hash) => shardOf(hash, SHARDS))).size).toBeGreaterThanOrEqual(3);
    expect(new Set(await Promise.all(hashes.map(masterOfEvent))).size).toBe(3);

    const again = await postBatch(body, KEYS.acme, { 'idempotency-key': 'acme-batch-1' });
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 60 });
    const other = await postBatch(JSON.stringify(orders.slice(0, 2)), KEYS.acme, { 'idempotency-key': 'acme-batch-1' });
    expect(other.status, other.text).toBe(422);
    expect(other.json.code).toBe('idempotency_key_reused');
    const single = await post(retries[7], KEYS.acme);
    expect(single.status, single.text).toBe(409);
    expect(single.json.hash).toBe(hashes[7]);
  });

  it("shows a tenant's window in the admin lookup's expires_at, looked up in that tenant's space only", async () => {
    const accepted = await post(sampleEvent('cluster-looked-up', { payload: { order_id: 4242 } }), KEYS.acme);
    expect(accepted.status, accepted.text).toBe(202);
    admitted.push({ tenant: 'acme', hash: String(accepted.json.hash) });
    const lookup = (tenant: string) =>
      fetch(`${base.replace('/api/v1/ddup_service', '')}/admin/events/${String(accepted.json.hash)}?tenant=${tenant}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    const found = await lookup('acme');
    expect(found.status).toBe(200);
    const body = (await found.json()) as { first_seen_at: string; expires_at: string };
    // A second (the rounding of first_seen_at) plus acme's window.
    expect(Date.parse(body.expires_at) - Date.parse(body.first_seen_at)).toBe((ACME_WINDOW_SECONDS + 1) * 1_000);
    expect((await lookup('globex')).status).toBe(404);
  });

  it('slides a refresh_on_duplicate window: repeats past the window stay duplicates, a quiet window forgets', async () => {
    const event = sampleEvent('cluster-debounced');
    expect((await post(event, KEYS.debounce)).status).toBe(202);
    // Three repeats 1.2 s apart: the last at ~3.6 s, past the most the first record could live
    // without a refresh (its second + 1 s + the 2 s window), each a duplicate.
    for (let k = 0; k < 3; k++) {
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await post(event, KEYS.debounce)).status).toBe(409);
    }
    // Quiet for the window (and the second it rounds to): new again.
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect((await post(event, KEYS.debounce)).status).toBe(202);
  });

  it('rate-limits a tenant with 429 and Retry-After once its burst is spent, single events and batches alike', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(sampleEvent(`limited-${i}`), KEYS.limited)));
    const accepted = answers.filter((answer) => answer.status === 202);
    expect(accepted).toHaveLength(3);
    admitted.push(...accepted.map((answer) => ({ tenant: 'limited' as const, hash: String(answer.json.hash) })));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited).toHaveLength(5);
    for (const answer of limited) {
      expect(answer.json.code).toBe('rate_limited');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const batch = await postBatch(JSON.stringify([sampleEvent('limited-batch-0'), sampleEvent('limited-batch-1')]), KEYS.limited);
    expect(batch.status, batch.text).toBe(429);
    expect(await redis.sendCommand<number>(['EXISTS', rateLimitKey('limited')])).toBe(1);
    // The other tenants are not held back by it.
    const free = await post(sampleEvent('after-limit'), KEYS.globex);
    expect(free.status, free.text).toBe(202);
    admitted.push({ tenant: 'globex', hash: String(free.json.hash) });
  });

  it('confirms every tenant’s event (lag and pending 0, each processed in its own space)', async () => {
    const drained = async () => {
      for (const stream of allEventsStreamKeys(SHARDS)) {
        const group = await workersGroupInfo(redis, stream);
        if (group.pending !== 0 || group.lag !== 0) return false;
      }
      return allConfirmed(redis, SHARDS);
    };
    await eventually('every shard drained by ddup-workers', drained, 20_000);
    const store = testStore({ shardCount: SHARDS });
    const spaces = {
      acme: store.forTenant('acme', { windowSeconds: ACME_WINDOW_SECONDS }),
      globex: store.forTenant('globex'),
      limited: store.forTenant('limited'),
    };
    expect(admitted.length).toBeGreaterThan(80);
    for (const { tenant, hash } of admitted) expect((await spaces[tenant].lookup(redis, hash))?.state, `${tenant} ${hash}`).toBe('processed');
    // globex never saw acme's keys: a lookup in the wrong space finds nothing.
    const acmeHash = admitted.find((event) => event.tenant === 'acme')?.hash ?? '';
    expect(await spaces.globex.lookup(redis, acmeHash)).toBeUndefined();
  });

  it('keeps every tenant key in the slot of its shard’s stream, and nobody logged CROSSSLOT or MOVED', async () => {
    const masters = await currentMasters(cluster);
    expect(masters).toHaveLength(3);
    const kindsPerMaster: Set<string>[] = [];
    for (const master of masters) {
      const client = await master.client();
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await client.sendCommand<[string, string[]]>(['SCAN', cursor, 'MATCH', TENANT_KEY_PATTERN, 'COUNT', '1000']);
        found.push(...keys);
        cursor = next;
      } while (cursor !== '0');
      const kinds = new Set<string>();
      for (const key of found) {
        const bucket = spaceOfIndexBucketKey(key);
        const space = bucket ?? spaceOfIdempotencyKeyName(key);
        expect(space?.tenant, key).toMatch(/^(acme|globex|limited|debounce)$/);
        const shard = space?.shard;
        expect(Number(shard)).toBeLessThan(SHARDS);
        kinds.add(`${space?.tenant}:${bucket ? 'ix' : 'ik'}`);
        const slot = await client.sendCommand<number>(['CLUSTER', 'KEYSLOT', key]);
        expect(slot, key).toBe(await client.sendCommand<number>(['CLUSTER', 'KEYSLOT', eventsStreamKey(Number(shard))]));
        expect(slotOwners[slot], key).toBe(master.port);
      }
      kindsPerMaster.push(kinds);
    }
    // acme's and globex's indexes are spread over all three masters, the Idempotency-Key records over more than one.
    for (const kinds of kindsPerMaster) for (const kind of ['acme:ix', 'globex:ix']) expect(kinds).toContain(kind);
    expect(kindsPerMaster.some((kinds) => kinds.has('limited:ix'))).toBe(true);
    expect(kindsPerMaster.filter((kinds) => kinds.has('globex:ik')).length).toBeGreaterThanOrEqual(2);
    expect(gateway.output() + consumer.output()).not.toMatch(/CROSSSLOT|MOVED/);
  });
});
