import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@ddup/config';
import { deadLetterStreamKey, eventsStreamKey } from '@ddup/store';
import { type TestRedis, makeDeadLetters, postJson, sampleEvent, testStore, useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import { parseGatewayConfig } from '../src/env.ts';
import type { Gateway } from '../src/gateway.ts';
import { closeGracefully, listen } from '../src/http/node/server.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

// The admin routes over real HTTP against a real Redis: off without DDUP_ADMIN_TOKEN, behind the
// bearer token with it, and what they read and change is what the event route then sees.

const TOKEN = 'admin-token-for-tests-0123456789';
const WINDOW_SECONDS = 3_600;
const SHARDS = 2;
const store = testStore({ shardCount: SHARDS, windowSeconds: WINDOW_SECONDS });
const test = useTestRedis();
let client: Awaited<ReturnType<TestRedis['client']>>;
const running: { gateway: Gateway; server: Server }[] = [];
let base: string;

async function serve(env: Record<string, string>): Promise<string> {
  const gateway = await startTestGateway({ REDIS_URL: test.redis.url, STREAM_SHARDS: String(SHARDS), DEDUP_WINDOW_SECONDS: String(WINDOW_SECONDS), ...env });
  const server = await listen(gateway.app, 0, '127.0.0.1');
  running.push({ gateway, server });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An admin request with the right token (or the `authorization` given); the status, headers and JSON body. */
async function admin(method: string, path: string, options: { body?: string; authorization?: string | null } = {}) {
  const authorization = options.authorization === undefined ? `Bearer ${TOKEN}` : options.authorization;
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body: options.body });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

async function postEvent(event: object) {
  return postJson(`${base}${API_PREFIX}/events`, JSON.stringify(event));
}

beforeAll(async () => {
  client = await test.redis.client();
  // This file sends many wrong tokens on purpose (their 401s); the throttle has its own test (admin-token-guessing).
  base = await serve({ DDUP_ADMIN_TOKEN: TOKEN, ADMIN_AUTH_FAILURES_PER_MINUTE: '1000' });
});

afterAll(async () => {
  for (const { gateway, server } of running) {
    await closeGracefully(server, 1_000);
    await stopTestGateway(gateway);
  }
});

describe('turning the admin routes on', () => {
  it('serves no /admin path without DDUP_ADMIN_TOKEN: the usual 404, token or not', async () => {
    const plain = await serve({});
    for (const path of [`/admin/events/${'a'.repeat(64)}`, '/admin/dead-letters']) {
      const response = await fetch(`${plain}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Not Found', code: 'not_found' });
    }
  });

  it('refuses a token shorter than 16 characters at start-up, naming the variable but not its value', () => {
    let error: unknown;
    try {
      parseGatewayConfig({ REDIS_URL: test.redis.url, DDUP_ADMIN_TOKEN: 'fifteen-chars!!' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/DDUP_ADMIN_TOKEN: must be at least 16 characters/);
    expect(String(error)).not.toContain('fifteen-chars!!');
  });
});

describe('the bearer token', () => {
  const wrong: [string, string | null][] = [
    ['no Authorization header', null],
    ['another scheme', `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`],
    ['a wrong token of the same length', `Bearer ${'x'.repeat(TOKEN.length)}`],
    ['the right token cut short', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the right token with more after it', `Bearer ${TOKEN}0`],
    ['the scheme alone', 'Bearer '],
  ];
  it.each(wrong)('answers 401 unauthorized with WWW-Authenticate: Bearer to %s', async (_, authorization) => {
    for (const [method, path] of [
      ['GET', `/admin/events/${'a'.repeat(64)}`],
      ['DELETE', `/admin/events/${'a'.repeat(64)}`],
      ['GET', '/admin/dead-letters'],
      ['POST', '/admin/dead-letters/replay'],
      ['GET', '/admin/no-such-route'],
    ] as const) {
      const answer = await admin(method, path, { authorization });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.json).toMatchObject({ code: 'unauthorized' });
      expect(typeof answer.json.detail).toBe('string');
    }
  });

  it('lets the right token through (the scheme in any case), and an unknown admin path is then a 404', async () => {
    expect((await admin('GET', '/admin/dead-letters', { authorization: `bearer ${TOKEN}` })).status).toBe(200);
    const unknown = await admin('GET', '/admin/no-such-route');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ detail: 'Not Found', code: 'not_found' });
  });
});

describe('GET and DELETE /admin/events/{hash}', () => {
  it('shows a remembered event with its window, and forgetting it lets the identical event in again', async () => {
    const event = sampleEvent('admin-lookup');
    const accepted = await postEvent(event);
    expect(accepted.status).toBe(202);
    const hash = String(accepted.json.hash);

    const found = await admin('GET', `/admin/events/${hash}`);
    expect(found.status).toBe(200);
    expect(Object.keys(found.json).sort()).toEqual(['expires_at', 'first_seen_at', 'hash', 'state']);
    expect(found.json).toMatchObject({ hash, state: 'pending' });
    const firstSeen = Date.parse(String(found.json.first_seen_at));
    expect(String(found.json.first_seen_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    // Accepted in second s, a duplicate until s + 1 s + the window (docs/guarantees.md).
    expect(Date.parse(String(found.json.expires_at))).toBe(firstSeen + 1_000 + WINDOW_SECONDS * 1_000);
    expect(Math.abs(firstSeen - Date.parse(String(accepted.json.timestamp)))).toBeLessThan(1_000);

    const forgotten = await admin('DELETE', `/admin/events/${hash}`);
    expect(forgotten).toMatchObject({ status: 200, json: { hash, forgotten: true } });
    expect((await admin('GET', `/admin/events/${hash}`)).status).toBe(404);
    expect((await admin('DELETE', `/admin/events/${hash}`)).status).toBe(404);
    const again = await postEvent(event);
    expect(again.status).toBe(202);
    expect(again.json.hash).toBe(hash);
    expect((await postEvent(event)).status).toBe(409);
  });

  it('answers 404 not_found for a hash the index does not hold', async () => {
    const answer = await admin('GET', `/admin/events/${'0'.repeat(64)}`);
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ code: 'not_found' });
    expect(typeof answer.json.detail).toBe('string');
  });

  it.each([['ABCD'.repeat(16)], ['a'.repeat(63)], ['a'.repeat(65)], ['not-a-hash']])('answers 422 for the hash %s, as FastAPI would', async (bad) => {
    for (const method of ['GET', 'DELETE']) {
      const answer = await admin(method, `/admin/events/${bad}`);
      expect(answer.status).toBe(422);
      expect(answer.json).toEqual({
        code: 'validation_failed',
        detail: [
          {
            type: 'string_pattern_mismatch',
            loc: ['path', 'hash'],
            msg: "String should match pattern '^[0-9a-f]{64}$'",
            input: bad,
            ctx: { pattern: '^[0-9a-f]{64}$' },
          },
        ],
      });
    }
  });
});

describe('/admin/dead-letters', () => {
  it('lists dead letters with their fields, at most `limit` per shard, and replays the ones named', async () => {
    const made = await makeDeadLetters(client, store, ['dl-a', 'dl-b', 'dl-c', 'dl-d', 'dl-e', 'dl-f'], 'poison for the test', 4);
    const listed = await admin('GET', '/admin/dead-letters');
    expect(listed.status).toBe(200);
    const letters = listed.json.dead_letters as Record<string, unknown>[];
    expect(listed.json.count).toBe(made.length);
    expect(letters).toHaveLength(made.length);
    for (const letter of made) {
      expect(letters).toContainEqual({
        shard: letter.shard,
        id: expect.stringMatching(/^\d+-\d+$/),
        source_id: letter.sourceId,
        reason: 'poison for the test',
        deliveries: 4,
        hash: letter.hash,
        event: letter.canonical,
      });
    }
    // Both shards hold some (six hashes over two shards), so a limit of 1 gives one of each.
    const perShard = new Set(made.map((letter) => letter.shard));
    expect(perShard.size).toBe(SHARDS);
    const limited = await admin('GET', '/admin/dead-letters?limit=1');
    expect(limited.json.count).toBe(SHARDS);
    expect((limited.json.dead_letters as { shard: number }[]).map((letter) => letter.shard).sort()).toEqual([0, 1]);

    const [first, second] = letters;
    // Ids are per stream: letters of two shards made in one millisecond share one, and both go back.
    const sharing = letters.filter((letter) => letter.id === first?.id);
    const replay = await admin('POST', '/admin/dead-letters/replay', { body: JSON.stringify({ ids: [first?.id, '1-1'] }) });
    expect(replay.status).toBe(200);
    expect(replay.json.replayed).toBe(sharing.length);
    const newIds = replay.json.ids as string[];
    expect(newIds).toHaveLength(sharing.length);
    const replayedEntries = await Promise.all(
      sharing.map(async (letter, n) => (await client.xRange(eventsStreamKey(Number(letter.shard)), String(newIds[n]), String(newIds[n])))?.[0]?.message),
    );
    expect(replayedEntries).toEqual(sharing.map((letter) => ({ hash: letter.hash, event: letter.event })));
    expect((await admin('GET', '/admin/dead-letters')).json.count).toBe(made.length - sharing.length);

    // With `shard`, only that shard's letter of an id (or, without ids, that shard's letters).
    const [third] = letters.filter((letter) => letter.id !== first?.id);
    const other = 1 - Number(third?.shard);
    const onOther = letters.filter((letter) => letter.id === third?.id && letter.shard === other).length;
    const onShard = await admin('POST', '/admin/dead-letters/replay', { body: JSON.stringify({ ids: [third?.id], shard: other }) });
    expect(onShard.json.replayed, JSON.stringify(onShard.json)).toBe(onOther);
    const own = await admin('POST', '/admin/dead-letters/replay', { body: JSON.stringify({ ids: [third?.id], shard: third?.shard }) });
    expect(own.json.replayed).toBe(1);
    expect(await client.xLen(deadLetterStreamKey(Number(third?.shard)))).toBe(
      letters.filter((letter) => letter.shard === third?.shard && letter.id !== first?.id).length - 1,
    );
    const shardZeroLeft = await client.xLen(deadLetterStreamKey(0));
    const shardZero = await admin('POST', '/admin/dead-letters/replay', { body: '{"shard": 0}' });
    expect(shardZero.json.replayed).toBe(shardZeroLeft);
    expect(await client.xLen(deadLetterStreamKey(0))).toBe(0);
    const replayedBefore = sharing.length + onOther + 1 + shardZeroLeft;

    // An empty list replays nothing; no body replays all that are left.
    expect((await admin('POST', '/admin/dead-letters/replay', { body: '{"ids": []}' })).json).toEqual({ replayed: 0, ids: [] });
    const rest = await admin('POST', '/admin/dead-letters/replay');
    expect(rest.status).toBe(200);
    expect(rest.json.replayed).toBe(made.length - replayedBefore);
    expect(rest.json.ids).toHaveLength(made.length - replayedBefore);
    expect((await admin('POST', '/admin/dead-letters/replay', { body: JSON.stringify({ ids: [second?.id] }) })).json).toEqual({ replayed: 0, ids: [] });
    const left = await Promise.all([0, 1].map((shard) => client.xLen(deadLetterStreamKey(shard))));
    expect(left).toEqual([0, 0]);
    expect((await admin('GET', '/admin/dead-letters')).json).toEqual({ dead_letters: [], count: 0 });
  });

  it.each([
    ['0', 'greater_than_equal'],
    ['1001', 'less_than_equal'],
    ['ten', 'int_parsing'],
  ])('answers 422 for limit=%s (%s)', async (limit, type) => {
    const answer = await admin('GET', `/admin/dead-letters?limit=${limit}`);
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ code: 'validation_failed', detail: [{ type, loc: ['query', 'limit'], input: limit }] });
  });

  it.each([
    ['malformed JSON', '{"ids": [', 'json_invalid', ['body', 9]],
    ['a body that is not an object', '["1-1"]', 'model_attributes_type', ['body']],
    ['ids that are not a list', '{"ids": "1-1"}', 'list_type', ['body', 'ids']],
    ['an id that is not a string', '{"ids": ["1-1", 7]}', 'string_type', ['body', 'ids', 1]],
    ['an id that is no stream id', '{"ids": ["latest"]}', 'string_pattern_mismatch', ['body', 'ids', 0]],
    ['a shard that is not an integer', '{"shard": "1"}', 'int_type', ['body', 'shard']],
    ['a shard below 0', '{"ids": ["1-1"], "shard": -1}', 'greater_than_equal', ['body', 'shard']],
    ['a shard past STREAM_SHARDS', '{"shard": 2}', 'less_than_equal', ['body', 'shard']],
  ])('answers 422 to a replay body with %s, replaying nothing', async (_, body, type, loc) => {
    const [letter] = await makeDeadLetters(client, store, [`dl-bad-${type}`]);
    const answer = await admin('POST', '/admin/dead-letters/replay', { body });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ code: 'validation_failed', detail: [{ type, loc }] });
    expect(await client.xLen(deadLetterStreamKey(letter?.shard ?? 0))).toBe(1);
    await client.del(deadLetterStreamKey(letter?.shard ?? 0));
  });
});
