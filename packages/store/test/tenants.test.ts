import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTestRedis } from '@ddup/test-utils';
import { type AdmitResult, Store, eventsStreamKey, idempotencyKeyName, rateLimitKey } from '../src/index.ts';

// The store's side of tenants: separate dedup spaces on the shared streams, a window per tenant,
// the sliding window, Idempotency-Key records and the shared token bucket, on a real Redis.

const redis = useTestRedis({ flushAfterEach: true });
const base = new Store({ shardCount: 1, indexCapacity: 1, windowSeconds: 3600 });

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function entries(): Promise<Record<string, string>[]> {
  const reply = (await redis.client.sendCommand(['XRANGE', eventsStreamKey(0), '-', '+'])) as [string, string[]][];
  return reply.map(([, fields]) => Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, k) => [fields[2 * k], fields[2 * k + 1]])));
}

describe('dedup spaces', () => {
  it('keeps each tenant apart from the others and from the default space, on one stream with a tenant field', async () => {
    const hash = hashOf('same');
    const acme = base.forTenant('acme');
    const globex = base.forTenant('globex');
    expect((await acme.admit(redis.client, { hash, canonical: '{}' })).outcome).toBe('accepted');
    expect((await globex.admit(redis.client, { hash, canonical: '{}' })).outcome).toBe('accepted');
    expect((await base.admit(redis.client, { hash, canonical: '{}' })).outcome).toBe('accepted');
    expect((await acme.admit(redis.client, { hash, canonical: '{}' })).outcome).toBe('duplicate');
    const [batchNew, batchSeen] = await globex.admitShardBatch(redis.client, 0, [
      { hash: hashOf('other'), canonical: '{}' },
      { hash, canonical: '{}' },
    ]);
    expect([batchNew?.outcome, batchSeen?.outcome]).toEqual(['accepted', 'duplicate']);
    expect((await entries()).map((fields) => fields.tenant)).toEqual(['acme', 'globex', undefined, 'globex']);
    expect(await redis.client.keys('ddup:{s00}:t:acme:ix:*')).toHaveLength(1);
  });

  it('refuses a tenant id that cannot be part of a key name', () => {
    expect(() => base.forTenant('a b')).toThrow(/not a tenant id/);
    expect(() => base.forTenant('x}{y')).toThrow(/not a tenant id/);
  });

  it("counts a tenant's window for its own events, visible in the lookup", async () => {
    const short = base.forTenant('short', { windowSeconds: 60 });
    const hash = hashOf('windowed');
    await short.admit(redis.client, { hash, canonical: '{}' });
    const seen = await short.lookup(redis.client, hash);
    expect(seen).toBeDefined();
    expect((seen?.expiresMs ?? 0) - (seen?.firstSeenMs ?? 0)).toBe(61_000);
    expect(await base.lookup(redis.client, hash)).toBeUndefined();
  });

  it("confirms a tenant's event in its own space", async () => {
    const acme = base.forTenant('acme');
    const hash = hashOf('confirm');
    const admitted = await acme.admit(redis.client, { hash, canonical: '{}' });
    const id = admitted.outcome === 'accepted' ? admitted.id : '';
    await redis.client.sendCommand(['XGROUP', 'CREATE', eventsStreamKey(0), 'ddup-workers', '0']);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', 'ddup-workers', 'w', 'STREAMS', eventsStreamKey(0), '>']);
    expect(await base.confirm(redis.client, eventsStreamKey(0), [{ id, hash, tenant: 'acme' }], [id])).toBe(1);
    expect((await acme.lookup(redis.client, hash))?.state).toBe('processed');
  });
});

describe('refresh_on_duplicate', () => {
  it('restarts the window at each duplicate, keeps the state, and leaves other records in time order', async () => {
    const sliding = base.forTenant('debounce', { windowSeconds: 2, refreshOnDuplicate: true });
    const fixed = base.forTenant('fixed', { windowSeconds: 2 });
    const [a, b] = [hashOf('a'), hashOf('b')];
    for (const store of [sliding, fixed]) {
      await store.admit(redis.client, { hash: a, canonical: '{}' });
      await store.admit(redis.client, { hash: b, canonical: '{}' });
    }
    // Repeats of `a` every ~1.2 s: its window never closes under the sliding tenant.
    for (let k = 0; k < 3; k++) {
      await sleep(1_200);
      expect((await sliding.admit(redis.client, { hash: a, canonical: '{}' })).outcome).toBe('duplicate');
    }
    // 3.6 s after the first admissions: `b` (never repeated) is forgotten by both; `a` only by the fixed one.
    expect((await fixed.admit(redis.client, { hash: a, canonical: '{}' })).outcome).toBe('accepted');
    expect(await sliding.lookup(redis.client, b)).toBeUndefined();
    const a2 = await sliding.lookup(redis.client, a);
    expect(a2).toBeDefined();
    expect((a2?.expiresMs ?? 0) - Date.now()).toBeGreaterThan(1_000);
    expect((await sliding.admit(redis.client, { hash: b, canonical: '{}' })).outcome).toBe('accepted');
  });

  it('marks a refreshed event processed when its entry is confirmed after the refresh', async () => {
    const sliding = base.forTenant('debounce', { windowSeconds: 30, refreshOnDuplicate: true });
    const hash = hashOf('late-confirm');
    const admitted = await sliding.admit(redis.client, { hash, canonical: '{}' });
    const id = admitted.outcome === 'accepted' ? admitted.id : '';
    await sleep(1_100);
    await sliding.admit(redis.client, { hash, canonical: '{}' });
    await redis.client.sendCommand(['XGROUP', 'CREATE', eventsStreamKey(0), 'ddup-workers', '0']);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', 'ddup-workers', 'w', 'STREAMS', eventsStreamKey(0), '>']);
    await base.confirm(redis.client, eventsStreamKey(0), [{ id, hash, tenant: 'debounce' }], [id], new Set(['debounce']));
    expect((await sliding.lookup(redis.client, hash))?.state).toBe('processed');
  });
  it('a late confirmation marks its own refreshed record, never a newer admission of the same event', async () => {
    const sliding = base.forTenant('debounce', { windowSeconds: 1, refreshOnDuplicate: true });
    const [own, readmitted] = [hashOf('refreshed-late'), hashOf('readmitted-late')];
    const idOf = (result: AdmitResult) => (result.outcome === 'accepted' ? result.id : '');
    const ownId = idOf(await sliding.admit(redis.client, { hash: own, canonical: '{}' }));
    const oldId = idOf(await sliding.admit(redis.client, { hash: readmitted, canonical: '{}' }));
    // `own` is repeated within each window, `readmitted` not: its window closes and it is admitted anew.
    for (let k = 0; k < 5; k++) {
      await sleep(600);
      expect((await sliding.admit(redis.client, { hash: own, canonical: '{}' })).outcome).toBe('duplicate');
    }
    const newId = idOf(await sliding.admit(redis.client, { hash: readmitted, canonical: '{}' }));
    expect(newId).not.toBe('');
    expect((await sliding.admit(redis.client, { hash: readmitted, canonical: '{}' })).outcome).toBe('duplicate');
    await redis.client.sendCommand(['XGROUP', 'CREATE', eventsStreamKey(0), 'ddup-workers', '0']);
    await redis.client.sendCommand(['XREADGROUP', 'GROUP', 'ddup-workers', 'w', 'STREAMS', eventsStreamKey(0), '>']);
    const entries = [
      { id: ownId, hash: own, tenant: 'debounce' },
      { id: oldId, hash: readmitted, tenant: 'debounce' },
    ];
    await base.confirm(redis.client, eventsStreamKey(0), entries, [ownId, oldId], new Set(['debounce']));
    expect((await sliding.lookup(redis.client, own))?.state).toBe('processed');
    expect((await sliding.lookup(redis.client, readmitted))?.state).toBe('pending');
    await base.confirm(redis.client, eventsStreamKey(0), [{ id: newId, hash: readmitted, tenant: 'debounce' }], [newId], new Set(['debounce']));
    expect((await sliding.lookup(redis.client, readmitted))?.state).toBe('processed');
  });
});

describe('Idempotency-Key records', () => {
  it('says new, then same for the same content and different for other content, per tenant', async () => {
    const acme = base.forTenant('acme');
    const key = hashOf('key-1');
    expect(await acme.claimIdempotencyKey(redis.client, key, hashOf('body-1'))).toBe('new');
    expect(await acme.claimIdempotencyKey(redis.client, key, hashOf('body-1'))).toBe('same');
    expect(await acme.claimIdempotencyKey(redis.client, key, hashOf('body-2'))).toBe('different');
    expect(await base.forTenant('globex').claimIdempotencyKey(redis.client, key, hashOf('body-2'))).toBe('new');
    const [name] = await redis.client.keys('ddup:*:t:acme:ik:*');
    const ttl = await redis.client.pTTL(name ?? '');
    expect(ttl).toBeGreaterThan(3_590_000);
  });
});

describe('max_idempotency_keys', () => {
  it('refuses a new key once the tenant holds its quota, says when one frees, and takes keys again once they expired', async () => {
    const acme = base.forTenant('acme', { windowSeconds: 1 });
    const claims = [];
    for (let n = 0; n < 4; n++) claims.push(await acme.claimIdempotencyKey(redis.client, hashOf(`quota-${n}`), hashOf('body'), 3));
    expect(claims.slice(0, 3)).toEqual(['new', 'new', 'new']);
    const refused = claims[3];
    if (typeof refused !== 'object') throw new Error(`expected a refusal, got ${String(refused)}`);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_250);
    // Keys held answer as before; the refused key was not noted.
    expect(await acme.claimIdempotencyKey(redis.client, hashOf('quota-0'), hashOf('body'), 3)).toBe('same');
    expect(await redis.client.exists(idempotencyKeyName(0, hashOf('quota-3'), 'acme'))).toBe(0);
    await sleep(refused.retryAfterMs + 50);
    expect(await acme.claimIdempotencyKey(redis.client, hashOf('quota-3'), hashOf('body'), 3)).toBe('new');
  });
});

describe('rate limits', () => {
  it('lets a burst through, then refuses with the time until a token is back, shared by every caller', async () => {
    const acme = base.forTenant('acme');
    const limit = { perSecond: 10, burst: 5 };
    const decisions = await Promise.all(Array.from({ length: 8 }, () => acme.takeTokens(redis.client, limit, 1)));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(5);
    const refused = decisions.find((decision) => !decision.allowed);
    expect(refused).toMatchObject({ allowed: false });
    expect(refused && !refused.allowed ? refused.retryAfterMs : 0).toBeGreaterThan(0);
    expect(refused && !refused.allowed ? refused.retryAfterMs : 1_000).toBeLessThanOrEqual(100);
    await sleep(250);
    expect((await acme.takeTokens(redis.client, limit, 1)).allowed).toBe(true);
    expect(await redis.client.exists(rateLimitKey('acme'))).toBe(1);
  });

  it('lets a batch larger than the burst through from a full bucket, then makes the tenant wait it off', async () => {
    const acme = base.forTenant('acme');
    const limit = { perSecond: 100, burst: 10 };
    expect((await acme.takeTokens(redis.client, limit, 50)).allowed).toBe(true);
    const next = await acme.takeTokens(redis.client, limit, 1);
    expect(next.allowed).toBe(false);
    // 40 tokens in debt plus one: ~410 ms at 100 a second.
    expect(!next.allowed && next.retryAfterMs).toBeGreaterThan(300);
  });
});
