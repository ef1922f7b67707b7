import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_PREFIX } from '../../src/app.ts';
import { openApiDocument } from '../../src/openapi/openapi-document.ts';
import { type PostmanCollection, postmanCollectionOf, postmanCollectionText } from './postman-collection.ts';
import type { CollectionStep } from './postman-steps.ts';

// The committed Postman collection is what the generator makes of the OpenAPI document now; the
// newman run against a real gateway is tests/e2e/postman-project.test.ts.

const COLLECTION_FILE = fileURLToPath(new URL('../../../../postman/ddup.postman_collection.json', import.meta.url));
const document = openApiDocument(API_PREFIX);

describe('postman/ddup.postman_collection.json', () => {
  it('is what `pnpm postman` generates from the OpenAPI document now (run it after changing the document)', () => {
    expect(readFileSync(COLLECTION_FILE, 'utf8')).toBe(postmanCollectionText(document));
  });

  it('takes the gateway from {{baseUrl}}, the admin token from {{adminToken}} (admin requests), the API key from {{apiKey}} (event requests)', () => {
    const collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8')) as PostmanCollection;
    const settings = Object.fromEntries(collection.variable.map((variable) => [variable.key, variable.value]));
    expect(settings).toMatchObject({ baseUrl: 'http://localhost:8000', adminToken: '', apiKey: '', tenant: '' });
    const bearer = (variable: string) => ({ type: 'bearer', bearer: [{ key: 'token', value: `{{${variable}}}`, type: 'string' }] });
    for (const item of collection.item) {
      expect(item.request.url.raw, item.name).toMatch(/^\{\{baseUrl\}\}\//);
      const [first, ...rest] = item.request.url.path;
      const isEvents = `/${item.request.url.path.join('/')}`.startsWith(`${API_PREFIX}/events`);
      const auth = item.request.auth;
      if (first === 'admin') expect(auth, item.name).toEqual(item.name === 'Admin without the token' ? { type: 'noauth' } : bearer('adminToken'));
      else if (isEvents) expect(auth, item.name).toEqual(bearer('apiKey'));
      else expect(auth, `${item.name} (${[first, ...rest].join('/')})`).toBeUndefined();
    }
  });

  it('sends an Idempotency-Key twice with the same event (202, 409), then with another event (422)', () => {
    const collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8')) as PostmanCollection;
    const keyed = collection.item.filter((item) =>
      item.request.header.some((header) => header.key === 'Idempotency-Key' && header.value === '{{idempotencyKey}}'),
    );
    const statusOf = (item: (typeof keyed)[number]) =>
      /have\.status\((\d{3})\)/.exec(item.event.find((event) => event.listen === 'test')?.script.exec.join('\n') ?? '')?.[1];
    expect(keyed.map(statusOf)).toEqual(['202', '409', '422']);
    const [first, second, third] = keyed.map((item) => item.request.body?.raw);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
  });

  it('skips the admin requests, and the repost of the event they forget, while adminToken is empty (a gateway without DDUP_ADMIN_TOKEN)', () => {
    const skip = 'if (!pm.variables.get("adminToken")) pm.execution.skipRequest();';
    for (const item of postmanCollectionOf(document).item) {
      const prerequest = item.event.find((event) => event.listen === 'prerequest')?.script.exec ?? [];
      const needsAdmin = item.request.url.path[0] === 'admin' || item.name === 'Post the forgotten event again';
      expect(prerequest[0] === skip, item.name).toBe(needsAdmin);
    }
  });

  it("asserts each request's status with pm.response.to.have.status", () => {
    for (const item of postmanCollectionOf(document).item) {
      const tests = item.event.find((event) => event.listen === 'test')?.script.exec.join('\n') ?? '';
      expect(tests, item.name).toMatch(/pm\.test\(.*pm\.response\.to\.have\.status\(\d{3}\)/);
    }
  });
});

describe('the generator', () => {
  const step = (overrides: Partial<CollectionStep>): CollectionStep => ({ name: 'a step', operationId: 'healthz', status: 200, ...overrides });

  it('refuses a status the document does not give the operation', () => {
    expect(() => postmanCollectionOf(document, [step({ status: 418 })])).toThrow('healthz documents no 418 answer');
  });

  it('refuses a query parameter or a header the operation does not document', () => {
    expect(() => postmanCollectionOf(document, [step({ query: { nope: '1' } })])).toThrow('healthz has no query parameter nope');
    expect(() => postmanCollectionOf(document, [step({ headers: { 'Idempotency-Key': 'k' } })])).toThrow('healthz has no header parameter Idempotency-Key');
    expect(() => postmanCollectionOf(document, [step({ operationId: 'postEvent', status: 202, headers: { 'idempotency-key': 'k' } })])).not.toThrow();
  });

  it('leaves out a query parameter whose {{variable}} is empty, and only that one', () => {
    const [item] = postmanCollectionOf(document, [step({ operationId: 'listDeadLetters', query: { limit: '{{limit}}' } })]).item;
    const prerequest = item?.event.find((event) => event.listen === 'prerequest')?.script.exec ?? [];
    expect(prerequest).toEqual(['if (!pm.variables.get("limit")) pm.request.removeQueryParams("limit");']);
    const fixed = postmanCollectionOf(document, [step({ operationId: 'listDeadLetters', query: { limit: '10' } })]).item[0];
    expect(fixed?.event.map((event) => event.listen)).toEqual(['test']);
  });

  it('refuses an operation the document lacks, a path parameter left unfilled, and an example it does not have', () => {
    expect(() => postmanCollectionOf(document, [step({ operationId: 'nope' })])).toThrow('no operation nope');
    expect(() => postmanCollectionOf(document, [step({ operationId: 'lookupEvent' })])).toThrow('no value for {hash}');
    expect(() => postmanCollectionOf(document, [step({ operationId: 'postEvent', status: 202, body: { example: 'nope' } })])).toThrow('no JSON example nope');
  });

  it("checks an answer against the document's schema, references inlined (Postman's validator cannot follow them)", () => {
    const [item] = postmanCollectionOf(document, [step({ operationId: 'readyz' })]).item;
    const tests = item?.event.find((event) => event.listen === 'test')?.script.exec ?? [];
    const schemaLine = tests.find((line) => line.startsWith('var schema = '));
    expect(schemaLine).toBeDefined();
    expect(schemaLine).not.toContain('$ref');
    expect(JSON.parse(schemaLine?.slice('var schema = '.length, -1) ?? '')).toEqual({
      type: 'object',
      properties: { status: { type: 'string', const: 'ready' } },
      required: ['status'],
      additionalProperties: false,
    });
  });
});
