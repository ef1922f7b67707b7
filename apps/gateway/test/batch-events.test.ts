/**
 * POST /events/batch against a real redis-server: per-item results in order, in-batch duplicates,
 * NDJSON, the limits, and exactly-once acceptance under concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash, parseJson, type DedupEvent } from '@ddup/hashing';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, eventsStreamKey } from '@ddup/store';
import { rememberedEvent, sampleEvent, seenState, testStore, useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';

const BATCH = `http://localhost${API_PREFIX}/events/batch`;
const STREAM = eventsStreamKey(0);
const test = useTestRedis();
let gateway: Gateway;

interface BatchAnswer {
  results: Record<string, unknown>[];
  accepted: number;
  duplicates: number;
  invalid: number;
}

async function postBatch(body: unknown[] | string, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await gateway.app.request(BATCH, { method: 'POST', body: text, headers: { 'content-type': contentType } });
  return { status: response.status, json: (await response.json()) as BatchAnswer & Record<string, unknown> };
}

async function postSingle(event: unknown) {
  const response = await gateway.app.request(`${API_PREFIX}/events`, { method: 'POST', body: JSON.stringify(event) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The dedup hash of an event, as the gateway computes it. */
function hashOf(event: unknown): string {
  return eventHash(parseJson(JSON.stringify(event)) as unknown as DedupEvent, 'python').hash;
}

/** The canonical JSON of an event, as the gateway puts it on the stream. */
function canonicalOf(event: unknown): string {
  return eventHash(parseJson(JSON.stringify(event)) as unknown as DedupEvent, 'python').canonical;
}

const ID = expect.stringMatching(/^\d+-\d+$/);

beforeAll(async () => {
  gateway = await startTestGateway({
    REDIS_URL: test.redis.url,
    BODY_LIMIT_BYTES: '4096',
    BATCH_BODY_LIMIT_BYTES: String(1024 * 1024),
    BATCH_MAX_EVENTS: '1000',
  });
});

afterAll(async () => {
  await stopTestGateway(gateway);
});

describe('POST /events/batch', () => {
  it('answers each item in order: new, duplicate of an earlier POST, in-batch duplicate, invalid', async () => {
    const earlier = await postSingle(sampleEvent('mixed-earlier'));
    expect(earlier.status).toBe(202);
    const { user_id: _, ...withoutUser } = sampleEvent('mixed-no-user');
    const items = [
      sampleEvent('mixed-new'),
      sampleEvent('mixed-earlier'),
      sampleEvent('mixed-new'),
      sampleEvent('mixed-bad-type', { user_id: 5 }),
      sampleEvent('mixed-bad-payload', { payload: [1] }),
      'not an object',
      withoutUser,
      { ...sampleEvent('mixed-earlier'), unknown_field: true },
    ];
    const { status, json } = await postBatch(items);
    expect(status).toBe(200);
    const newHash = hashOf(sampleEvent('mixed-new'));
    expect(json).toEqual({
      results: [
        { status: 'accepted', id: ID, hash: newHash },
        { status: 'duplicate', hash: earlier.json.hash, state: 'pending', first_seen_at: expect.any(String) },
        { status: 'duplicate', hash: newHash, state: 'pending', first_seen_at: expect.any(String) },
        {
          status: 'invalid',
          detail: [{ type: 'string_type', loc: ['body', 3, 'user_id'], msg: 'Input should be a valid string', input: 5 }],
        },
        {
          status: 'invalid',
          detail: [{ type: 'dict_type', loc: ['body', 4, 'payload'], msg: 'Input should be a valid dictionary', input: [1] }],
        },
        {
          status: 'invalid',
          detail: [
            {
              type: 'model_attributes_type',
              loc: ['body', 5],
              msg: 'Input should be a valid dictionary or object to extract fields from',
              input: 'not an object',
            },
          ],
        },
        {
          status: 'invalid',
          detail: [{ type: 'missing', loc: ['body', 6, 'user_id'], msg: 'Field required', input: withoutUser }],
        },
        { status: 'duplicate', hash: earlier.json.hash, state: 'pending', first_seen_at: expect.any(String) },
      ],
      accepted: 1,
      duplicates: 3,
      invalid: 4,
    });

    // The accepted event is in the stream once, and the single-event route now sees it as a duplicate.
    const id = String(json.results[0]?.id);
    const entries = await test.client.xRange(STREAM, id, id);
    expect(entries?.[0]?.message.hash).toBe(newHash);
    expect(await seenState(test.client, newHash)).toBe('pending');
    const remembered = await rememberedEvent(test.client, newHash);
    expect((remembered?.expiresMs ?? 0) - Date.now()).toBeGreaterThan((7 * 24 * 3600 - 5) * 1000);
    expect((await postSingle(sampleEvent('mixed-new'))).status).toBe(409);
  });

  it('reports the state the index holds, for in-batch repeats too', async () => {
    const event = sampleEvent('processed-one');
    // 'processed' through the real path: admitted (as the gateway does), read and confirmed by a worker.
    const store = testStore();
    const workers = new StreamGroup(CONSUMER_GROUP, [STREAM]);
    await workers.ensure(test.client, '$');
    const admitted = await store.admit(test.client, { hash: hashOf(event), canonical: canonicalOf(event) });
    if (admitted.outcome !== 'accepted') throw new Error(`expected acceptance, got ${admitted.outcome}`);
    await workers.read(test.client, 'worker', [[STREAM, NEW_ENTRIES]]);
    await store.confirm(test.client, STREAM, [{ id: admitted.id, hash: hashOf(event) }], [admitted.id]);
    expect(await seenState(test.client, hashOf(event))).toBe('processed');
    const { json } = await postBatch([event, event]);
    expect(json.results).toEqual([
      { status: 'duplicate', hash: hashOf(event), state: 'processed', first_seen_at: expect.any(String) },
      { status: 'duplicate', hash: hashOf(event), state: 'processed', first_seen_at: expect.any(String) },
    ]);
  });

  it('reads NDJSON: blank lines ignored, a malformed line is that item only', async () => {
    const body = [JSON.stringify(sampleEvent('nd-1')), '', '{"user_id": "u",', `${JSON.stringify(sampleEvent('nd-2'))}\r`, '   ', '[1]', ''].join('\n');
    const { status, json } = await postBatch(body, 'application/x-ndjson; charset=utf-8');
    expect(status).toBe(200);
    expect(json.results).toEqual([
      { status: 'accepted', id: ID, hash: hashOf(sampleEvent('nd-1')) },
      {
        status: 'invalid',
        detail: [
          {
            type: 'json_invalid',
            loc: ['body', 1, 16],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: 'Expecting property name enclosed in double quotes' },
          },
        ],
      },
      { status: 'accepted', id: ID, hash: hashOf(sampleEvent('nd-2')) },
      { status: 'invalid', detail: [expect.objectContaining({ type: 'model_attributes_type', loc: ['body', 3], input: [1] })] },
    ]);
    expect(json).toMatchObject({ accepted: 2, duplicates: 0, invalid: 2 });
  });

  it('answers an empty array or an empty NDJSON body with no results', async () => {
    expect(await postBatch([])).toEqual({ status: 200, json: { results: [], accepted: 0, duplicates: 0, invalid: 0 } });
    expect(await postBatch('\n\n', 'application/x-ndjson')).toEqual({
      status: 200,
      json: { results: [], accepted: 0, duplicates: 0, invalid: 0 },
    });
  });

  it('refuses a JSON body that is not an array, or not JSON, as a whole (422)', async () => {
    const notArray = await postBatch(JSON.stringify(sampleEvent('not-array')));
    expect(notArray.status).toBe(422);
    expect(notArray.json.detail).toEqual([{ type: 'list_type', loc: ['body'], msg: 'Input should be a valid list', input: sampleEvent('not-array') }]);
    const malformed = await postBatch(`[${JSON.stringify(sampleEvent('m-1'))}, {"user_id": }]`);
    expect(malformed.status).toBe(422);
    expect(malformed.json.detail).toEqual([
      // The offset in the whole body, as for a single event: `[` + the first event + `, {"user_id": ` → `}`.
      expect.objectContaining({
        type: 'json_invalid',
        loc: ['body', 1 + JSON.stringify(sampleEvent('m-1')).length + 14],
        ctx: { error: 'Expecting value' },
      }),
    ]);
    expect((await postBatch('')).json.detail).toEqual([expect.objectContaining({ type: 'missing', loc: ['body'] })]);
    // Nothing of a refused body is stored.
    expect((await postSingle(sampleEvent('m-1'))).status).toBe(202);
  });

  it('accepts 1,000 new events in one request; the stream grows by exactly the accepted count', async () => {
    const before = await test.client.xLen(STREAM);
    const events = Array.from({ length: 1_000 }, (_, i) => sampleEvent(`thousand-${i}`));
    const { status, json } = await postBatch(events);
    expect(status).toBe(200);
    expect(json).toMatchObject({ accepted: 1_000, duplicates: 0, invalid: 0 });
    expect(json.results.map((result) => result.hash)).toEqual(events.map(hashOf));
    expect(await test.client.xLen(STREAM)).toBe(before + 1_000);
    // Entry ids grow in the order of the items.
    const ids = json.results.map((result) => String(result.id));
    expect([...ids].sort((a, b) => compareIds(a, b))).toEqual(ids);
  });

  it('accepts each event exactly once when identical and overlapping batches race', async () => {
    const before = await test.client.xLen(STREAM);
    const events = Array.from({ length: 300 }, (_, i) => sampleEvent(`race-${i}`));
    const answers = await Promise.all([postBatch(events), postBatch(events), postBatch([...events].reverse()), postBatch(events.slice(100, 200))]);
    for (const answer of answers) expect(answer.status).toBe(200);
    const acceptedHashes = answers.flatMap((answer) => answer.json.results.filter((result) => result.status === 'accepted').map((result) => result.hash));
    expect(acceptedHashes).toHaveLength(300);
    expect(new Set(acceptedHashes)).toEqual(new Set(events.map(hashOf)));
    expect(answers.reduce((sum, answer) => sum + answer.json.duplicates, 0)).toBe(300 + 300 + 100);
    expect(await test.client.xLen(STREAM)).toBe(before + 300);
  });
});

describe('limits', () => {
  it('more than BATCH_MAX_EVENTS items: 422 too_long, nothing stored (JSON and NDJSON)', async () => {
    const before = await test.client.xLen(STREAM);
    const events = Array.from({ length: 1_001 }, (_, i) => sampleEvent(`too-many-${i}`));
    const json = await postBatch(events);
    expect(json.status).toBe(422);
    expect(json.json).toEqual({
      detail: [
        {
          type: 'too_long',
          loc: ['body'],
          msg: 'List should have at most 1000 items after validation, not 1001',
          input: {},
          ctx: { field_type: 'List', max_length: 1000, actual_length: 1001 },
        },
      ],
      code: 'validation_failed',
    });
    const ndjson = await postBatch(events.map((event) => JSON.stringify(event)).join('\n'), 'application/x-ndjson');
    expect(ndjson.status).toBe(422);
    expect(ndjson.json.detail).toEqual([expect.objectContaining({ type: 'too_long', ctx: expect.objectContaining({ actual_length: 1001 }) })]);
    expect(await test.client.xLen(STREAM)).toBe(before);
  });

  it('a body over BATCH_BODY_LIMIT_BYTES: 413, nothing stored', async () => {
    const before = await test.client.xLen(STREAM);
    const padding = 'x'.repeat(2_000);
    const events = Array.from({ length: 600 }, (_, i) => sampleEvent(`too-big-${i}`, { payload: { padding } }));
    const { status, json } = await postBatch(events);
    expect(status).toBe(413);
    expect(json).toMatchObject({ code: 'body_too_large', limit_bytes: 1024 * 1024 });
    expect(await test.client.xLen(STREAM)).toBe(before);
  });

  it('an item over the single-event BODY_LIMIT_BYTES is invalid, and the others go on', async () => {
    const big = sampleEvent('big-item', { payload: { padding: 'x'.repeat(5_000) } });
    const { status, json } = await postBatch([big, sampleEvent('next-to-big')]);
    expect(status).toBe(200);
    expect(json.results).toEqual([
      {
        status: 'invalid',
        detail: [
          {
            type: 'body_too_large',
            loc: ['body', 0],
            msg: 'Event is larger than the limit of 4096 bytes for one event',
            input: {},
            ctx: { limit_bytes: 4096 },
          },
        ],
      },
      { status: 'accepted', id: ID, hash: hashOf(sampleEvent('next-to-big')) },
    ]);
  });
});

function compareIds(a: string, b: string): number {
  const [ams = '0', aseq = '0'] = a.split('-');
  const [bms = '0', bseq = '0'] = b.split('-');
  return Number(ams) - Number(bms) || Number(aseq) - Number(bseq);
}
