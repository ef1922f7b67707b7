/**
 * GET /openapi.json: a valid OpenAPI 3.1 document (checked with @seriousme/openapi-schema-validator)
 * that lists exactly the routes the gateway's Hono app serves, admin routes on, and whose answer
 * schemas hold for what the gateway really answers (on a real Redis, checked with Ajv's 2020-12),
 * without TENANTS_FILE and with one (API keys, Idempotency-Key, a rate limit).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, type Gateway, createGateway, parseGatewayConfig, stopGateway } from '@ddup/gateway';
import { createLogger } from '@ddup/runtime';
import { CONSUMER_GROUP, NEW_ENTRIES, StreamGroup, eventsStreamKey } from '@ddup/store';
import { type TestRedis, eventually, sampleEvent, startTestRedis, testStore } from '@ddup/test-utils';
import { makeTempDir, removeDir } from './ddup-process.ts';

/** The pages' own files (scripts, styles): served, but not part of the API. */
const PAGE_FILES = /^\/(docs|dashboard)\/assets\//;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

type Json = Record<string, unknown>;

interface Document {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Json>>;
  readonly components: Json;
}

const ADMIN_TOKEN = 'openapi-test-token-0123456789';
/** API keys of the tenants file the second gateway reads. */
const KEYS = { acme: 'openapi-acme-key-0123456789', limited: 'openapi-limited-key-0123456789' };
const digest = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;

let redis: TestRedis;
let gateway: Gateway;
/** The same Redis, with TENANTS_FILE: acme, and limited (one event a second, a burst of one). */
let tenantGateway: Gateway;
let tenantsDir: string | undefined;
let document: Document;

async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const started = createGateway(parseGatewayConfig({ REDIS_URL: redis.url, DDUP_ADMIN_TOKEN: ADMIN_TOKEN, ...env }), createLogger('test', 'error'));
  await eventually('gateway checked its Redis', () => started.preflight.hasPassed);
  return started;
}

beforeAll(async () => {
  redis = await startTestRedis();
  gateway = await startGateway({ BODY_LIMIT_BYTES: '256' });
  tenantsDir = makeTempDir('ddup-openapi-tenants-');
  const tenantsFile = join(tenantsDir, 'tenants.json');
  const tenants = [
    { id: 'acme', api_keys: [digest(KEYS.acme)], key_fields: ['user_id', 'event_type'] },
    { id: 'limited', api_keys: [digest(KEYS.limited)], rate_limit_per_second: 1, rate_limit_burst: 1 },
  ];
  writeFileSync(tenantsFile, JSON.stringify({ tenants }));
  tenantGateway = await startGateway({ TENANTS_FILE: tenantsFile });
  const response = await gateway.app.request('http://localhost/openapi.json');
  expect(response.status).toBe(200);
  document = (await response.json()) as Document;
});

afterAll(async () => {
  for (const started of [gateway, tenantGateway]) if (started) await stopGateway(started);
  await redis?.cleanup();
  removeDir(tenantsDir);
});

it('is a valid OpenAPI 3.1 document', async () => {
  expect(document.openapi).toBe('3.1.0');
  const validator = new Validator();
  const result = await validator.validate(document as unknown as Record<string, unknown>);
  expect(result.errors).toBeUndefined();
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
});

it('is refused by the same validator once broken, so the check above can fail', async () => {
  const broken = { ...document, paths: { ...document.paths, '/healthz': { get: { responses: { '200': { content: {} } } } } } };
  expect((await new Validator().validate(broken)).valid).toBe(false);
});

it("lists every route the gateway's app serves, and no route it does not", () => {
  const served = gateway.app.routes
    .filter((route) => route.method !== 'ALL' && !PAGE_FILES.test(route.path))
    .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
  const documented = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.has(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(served.length).toBeGreaterThan(10);
  expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
});

/** What `#/...` points at in the document. */
function pointee(ref: string): Json {
  let target: unknown = document;
  for (const key of ref.replace(/^#\//, '').split('/')) target = (target as Json | undefined)?.[key];
  if (typeof target !== 'object' || target === null) throw new Error(`${ref} is not in the document`);
  return target as Json;
}

const resolved = (value: Json): Json => (typeof value.$ref === 'string' ? pointee(value.$ref) : value);

describe("the gateway's answers match the document's schema for their status", () => {
  let ajv: Ajv2020;

  beforeAll(() => {
    ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addFormat('date-time', (text: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text));
    ajv.addSchema({ $id: 'https://ddup.test/openapi.json', components: document.components });
  });

  interface DocumentedOperation {
    readonly responses: Record<string, Json>;
    readonly parameters?: Json[];
    readonly security?: Record<string, string[]>[];
  }

  /** The request's query parameters and Idempotency-Key are parameters of the operation; its key or token, one of its security schemes. */
  function expectDocumentedRequest(operation: DocumentedOperation, request: { url: string; init?: RequestInit }): void {
    const parameters = (operation.parameters ?? []).map(resolved);
    const documents = (where: string, name: string) =>
      parameters.some((parameter) => parameter.in === where && String(parameter.name).toLowerCase() === name.toLowerCase());
    for (const name of new URL(request.url, 'http://localhost').searchParams.keys()) expect(documents('query', name), `query ${name}`).toBe(true);
    const headers = new Headers(request.init?.headers);
    if (headers.has('idempotency-key')) expect(documents('header', 'Idempotency-Key'), 'header Idempotency-Key').toBe(true);
    const schemes = (operation.security ?? [])
      .flatMap((requirement) => Object.keys(requirement))
      .map((name) => pointee(`#/components/securitySchemes/${name}`));
    if (headers.has('authorization'))
      expect(
        schemes.some((scheme) => scheme.type === 'http' && scheme.scheme === 'bearer'),
        'a bearer scheme',
      ).toBe(true);
    if (headers.has('x-api-key')) {
      expect(
        schemes.some((scheme) => scheme.type === 'apiKey' && scheme.in === 'header' && String(scheme.name).toLowerCase() === 'x-api-key'),
        'an X-API-Key scheme',
      ).toBe(true);
    }
  }

  /**
   * Checks a request and its answer against the document: what it sent is documented, and the answer
   * has the headers and matches the JSON schema documented for (path, method, status).
   */
  async function expectDocumentedAnswer(
    path: string,
    method: string,
    status: number,
    request: { url: string; init?: RequestInit },
    response: Response,
  ): Promise<{ body: Json; headers: Headers }> {
    const body = (await response.json()) as Json;
    expect(response.status, JSON.stringify(body)).toBe(status);
    const operation = document.paths[path]?.[method.toLowerCase()] as DocumentedOperation | undefined;
    expect(operation, `${method} ${path} is documented`).toBeDefined();
    expectDocumentedRequest(operation ?? { responses: {} }, request);
    const documented = operation?.responses[String(status)];
    expect(documented, `${method} ${path} documents ${status}`).toBeDefined();
    const answer = resolved(documented ?? {});
    for (const [name, header] of Object.entries((answer.headers ?? {}) as Record<string, Json>)) {
      if (resolved(header).required === true) expect(response.headers.get(name), `${method} ${path} ${status} sends ${name}`).not.toBeNull();
    }
    const content = answer.content as Record<string, { schema: Json }>;
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const schemaText = JSON.stringify(content['application/json']?.schema).replaceAll('"#/components/', '"https://ddup.test/openapi.json#/components/');
    const validate = ajv.compile(JSON.parse(schemaText) as Json);
    expect(validate(body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`).toBe(true);
    return { body, headers: response.headers };
  }

  /** Sends the request to `target`, then checks it and its answer against the document. */
  async function expectAnswerOf(target: Gateway, path: string, method: string, status: number, request: { url: string; init?: RequestInit }) {
    return expectDocumentedAnswer(path, method, status, request, await target.app.request(`http://localhost${request.url}`, request.init));
  }

  /** `expectAnswerOf` on the gateway without TENANTS_FILE, answering the body. */
  const expectDocumented = async (path: string, method: string, status: number, request: { url: string; init?: RequestInit }): Promise<Json> =>
    (await expectAnswerOf(gateway, path, method, status, request)).body;

  const EVENTS = `${API_PREFIX}/events`;
  const BATCH = `${API_PREFIX}/events/batch`;
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) => ({
    url,
    init: { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } },
  });
  const admin = (url: string, method = 'GET', body?: string) => ({
    url,
    init: { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(body === undefined ? {} : { body }) },
  });

  it('the event routes: 202, 409, 422, 413, and a batch of each kind', async () => {
    const event = sampleEvent('openapi-doc-1');
    const accepted = await expectDocumented(EVENTS, 'POST', 202, post(EVENTS, event));
    await expectDocumented(EVENTS, 'POST', 409, post(EVENTS, event));
    await expectDocumented(EVENTS, 'POST', 422, post(EVENTS, { user_id: 42 }));
    await expectDocumented(EVENTS, 'POST', 422, post(EVENTS, '{"user_id": '));
    await expectDocumented(EVENTS, 'POST', 413, post(EVENTS, { ...event, payload: { padding: 'x'.repeat(300) } }));
    const batch = await expectDocumented(BATCH, 'POST', 200, post(BATCH, [sampleEvent('openapi-doc-2'), event, {}]));
    expect(batch).toMatchObject({ accepted: 1, duplicates: 1, invalid: 1 });
    await expectDocumented(BATCH, 'POST', 422, post(BATCH, { not: 'an array' }));
    expect(accepted.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the health routes', async () => {
    await expectDocumented(`${API_PREFIX}/test`, 'GET', 200, { url: `${API_PREFIX}/test` });
    await expectDocumented('/healthz', 'GET', 200, { url: '/healthz' });
    await expectDocumented('/readyz', 'GET', 200, { url: '/readyz' });
  });

  it('the admin routes: look up, forget, 404, 401, 422, and a real dead letter listed and replayed', async () => {
    const accepted = await expectDocumented(EVENTS, 'POST', 202, post(EVENTS, sampleEvent('openapi-doc-3')));
    const hashPath = `/admin/events/${String(accepted.hash)}`;
    await expectDocumented('/admin/events/{hash}', 'GET', 200, admin(hashPath));
    // Without TENANTS_FILE there is one space: `default`, or no ?tenant= at all.
    await expectDocumented('/admin/events/{hash}', 'GET', 200, admin(`${hashPath}?tenant=default`));
    await expectDocumented('/admin/events/{hash}', 'GET', 404, admin(`${hashPath}?tenant=acme`));
    await expectDocumented('/admin/events/{hash}', 'DELETE', 200, admin(hashPath, 'DELETE'));
    await expectDocumented('/admin/events/{hash}', 'GET', 404, admin(hashPath));
    await expectDocumented('/admin/events/{hash}', 'DELETE', 404, admin(hashPath, 'DELETE'));
    await expectDocumented('/admin/events/{hash}', 'GET', 422, admin('/admin/events/NOT-A-HASH'));
    await expectDocumented('/admin/events/{hash}', 'GET', 401, { url: hashPath });
    await expectDocumented('/admin/dead-letters', 'GET', 422, admin('/admin/dead-letters?limit=0'));

    // A dead letter as a consumer makes one: the entry read by the group, then moved by the store.
    const client = await redis.client();
    const stream = eventsStreamKey(0);
    const workers = new StreamGroup(CONSUMER_GROUP, [stream]);
    await workers.ensure(client, '0');
    await workers.read(client, 'openapi-test', [[stream, NEW_ENTRIES]]);
    expect(await testStore().deadLetter(client, stream, String(accepted.id), 'test: poison', 5)).toBe(true);

    const listed = await expectDocumented('/admin/dead-letters', 'GET', 200, admin('/admin/dead-letters?limit=10'));
    const letters = listed.dead_letters as Json[];
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ shard: 0, source_id: accepted.id, reason: 'test: poison', deliveries: 5, hash: accepted.hash });
    const replayed = await expectDocumented(
      '/admin/dead-letters/replay',
      'POST',
      200,
      admin('/admin/dead-letters/replay', 'POST', JSON.stringify({ ids: [letters[0]?.id] })),
    );
    expect(replayed.replayed).toBe(1);
    await expectDocumented('/admin/dead-letters/replay', 'POST', 422, admin('/admin/dead-letters/replay', 'POST', '{"ids": [1]}'));
  });

  describe('with TENANTS_FILE', () => {
    const expectTenants = (path: string, method: string, status: number, request: { url: string; init?: RequestInit }) =>
      expectAnswerOf(tenantGateway, path, method, status, request);
    const bearer = (key: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...more });

    it('401 without an API key or with an unknown one, on both event routes, with WWW-Authenticate', async () => {
      const event = sampleEvent('openapi-tenant-401');
      const refused: Record<string, string>[] = [{}, bearer('not-a-key'), { 'x-api-key': 'not-a-key' }];
      for (const headers of refused) {
        const single = await expectTenants(EVENTS, 'POST', 401, post(EVENTS, event, headers));
        expect(single.body.code).toBe('unauthorized');
        expect(single.headers.get('www-authenticate')).toBe('Bearer');
        expect((await expectTenants(BATCH, 'POST', 401, post(BATCH, [event], headers))).body.code).toBe('unauthorized');
      }
    });

    it('a key as a bearer token or as X-API-Key: 202 (hash: the key fields’ key), 409, then 422 idempotency_key_reused and 400 for a bad key', async () => {
      const event = sampleEvent('openapi-tenant-1');
      const idempotent = bearer(KEYS.acme, { 'idempotency-key': 'openapi-order-1' });
      const accepted = await expectTenants(EVENTS, 'POST', 202, post(EVENTS, event, idempotent));
      const retried = { ...event, timestamp: '2030-01-01T00:00:00Z' };
      // acme keys on user_id and event_type: another timestamp is the same event, under a new key.
      const duplicate = await expectTenants(EVENTS, 'POST', 409, post(EVENTS, retried, { 'x-api-key': KEYS.acme }));
      expect(duplicate.body.hash).toBe(accepted.body.hash);
      await expectTenants(EVENTS, 'POST', 409, post(EVENTS, event, idempotent));
      const reused = await expectTenants(EVENTS, 'POST', 422, post(EVENTS, sampleEvent('openapi-tenant-2'), idempotent));
      expect(reused.body.code).toBe('idempotency_key_reused');
      for (const key of ['', '""', 'k'.repeat(256)]) {
        const invalid = await expectTenants(EVENTS, 'POST', 400, post(EVENTS, event, bearer(KEYS.acme, { 'idempotency-key': key })));
        expect(invalid.body.code).toBe('invalid_idempotency_key');
      }
    });

    it('the batch route: the same body under one Idempotency-Key is 200 with duplicates, another body 422, a bad key 400', async () => {
      const headers = { 'x-api-key': KEYS.acme, 'idempotency-key': '"openapi-batch-1"' };
      const items = [sampleEvent('openapi-tenant-b1'), sampleEvent('openapi-tenant-b2')];
      expect((await expectTenants(BATCH, 'POST', 200, post(BATCH, items, headers))).body).toMatchObject({ accepted: 2 });
      expect((await expectTenants(BATCH, 'POST', 200, post(BATCH, items, headers))).body).toMatchObject({ accepted: 0, duplicates: 2 });
      // The quotes of a structured-field string are not part of the key.
      const unquoted = { ...headers, 'idempotency-key': 'openapi-batch-1' };
      expect((await expectTenants(BATCH, 'POST', 422, post(BATCH, items.slice(1), unquoted))).body.code).toBe('idempotency_key_reused');
      const tooLong = { ...headers, 'idempotency-key': 'k'.repeat(256) };
      expect((await expectTenants(BATCH, 'POST', 400, post(BATCH, items, tooLong))).body.code).toBe('invalid_idempotency_key');
    });

    it("the admin event routes in a tenant's space (?tenant=): look up, forget, 404 for an unknown tenant, 422 for none", async () => {
      const accepted = await expectTenants(EVENTS, 'POST', 202, post(EVENTS, sampleEvent('openapi-tenant-admin'), bearer(KEYS.acme)));
      const hashPath = `/admin/events/${String(accepted.body.hash)}`;
      await expectTenants('/admin/events/{hash}', 'GET', 200, admin(`${hashPath}?tenant=acme`));
      // Not in another tenant's space.
      await expectTenants('/admin/events/{hash}', 'GET', 404, admin(`${hashPath}?tenant=limited`));
      const unknown = await expectTenants('/admin/events/{hash}', 'GET', 404, admin(`${hashPath}?tenant=nobody`));
      expect(unknown.body.code).toBe('not_found');
      // With TENANTS_FILE every event is in a tenant's space: one must be named.
      const unnamed = await expectTenants('/admin/events/{hash}', 'GET', 422, admin(hashPath));
      expect(unnamed.body).toMatchObject({ code: 'validation_failed', detail: [{ loc: ['query', 'tenant'] }] });
      await expectTenants('/admin/events/{hash}', 'DELETE', 200, admin(`${hashPath}?tenant=acme`, 'DELETE'));
      await expectTenants('/admin/events/{hash}', 'DELETE', 404, admin(`${hashPath}?tenant=acme`, 'DELETE'));
    });

    /** Posts (new events each time) until the tenant's limit answers 429; each answer before it must be the route's success. */
    async function postUntilLimited(url: string, success: number, body: (n: number) => unknown): Promise<{ body: Json; headers: Headers }> {
      for (let n = 0; n < 10; n++) {
        const request = post(url, body(n), bearer(KEYS.limited));
        const response = await tenantGateway.app.request(`http://localhost${url}`, request.init);
        if (response.status === 429) return expectDocumentedAnswer(url, 'POST', 429, request, response);
        expect(response.status, await response.text()).toBe(success);
      }
      throw new Error(`${url}: no 429 in 10 requests at one event a second`);
    }

    it("429 past a tenant's rate limit, with Retry-After, on both event routes", async () => {
      const single = await postUntilLimited(EVENTS, 202, (n) => sampleEvent(`openapi-limited-${n}`));
      expect(single.body).toMatchObject({ code: 'rate_limited', retry_after_ms: expect.any(Number) });
      expect(Number(single.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const batch = await postUntilLimited(BATCH, 200, (n) => [sampleEvent(`openapi-limited-batch-${n}`)]);
      expect(batch.body.code).toBe('rate_limited');
    });
  });
});
