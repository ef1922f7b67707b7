/**
 * The requests of the Postman collection, in the order they run: each names an operation of the
 * OpenAPI document and the documented status it must get. Run in order they make a story that
 * holds on any ddup (with TENANTS_FILE, given a tenant's API key and id): a fresh event, its
 * duplicate, an invalid one, an Idempotency-Key used well and misused, a batch, the health routes,
 * then, given the admin token, the admin routes on the event accepted first (skipped without it).
 */
export interface CollectionStep {
  /** The request's name in Postman (unique). */
  readonly name: string;
  readonly operationId: string;
  /** The answer expected: one of the operation's documented statuses. */
  readonly status: number;
  /** The body: a request example of the operation, with some string values replaced (by `{{variables}}`). */
  readonly body?: { readonly example: string; readonly replace?: Readonly<Record<string, string>> };
  /** Values for the path's `{parameters}`. */
  readonly path?: Readonly<Record<string, string>>;
  /** Query parameters; one whose value is a lone `{{variable}}` is left out while the variable is empty. */
  readonly query?: Readonly<Record<string, string>>;
  /** Request headers: header parameters of the operation. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent without the admin token, though the operation needs it. */
  readonly withoutToken?: boolean;
  /**
   * Skipped (`pm.execution.skipRequest()`) while this collection variable is empty: the admin
   * requests, and those that build on them, on a gateway run without `DDUP_ADMIN_TOKEN`.
   */
  readonly skipWithout?: keyof typeof COLLECTION_SETTINGS;
  /** Collection variables set to a new unique value before the request, so each run's events are new. */
  readonly fresh?: readonly string[];
  /** Collection variables set from fields of the JSON answer, for later requests. */
  readonly capture?: Readonly<Record<string, string>>;
  /** More checks: a test name, and the statement that asserts it (`pm.expect(...)`). */
  readonly checks?: readonly { readonly name: string; readonly assert: string }[];
}

/**
 * Collection variables (give them with `--env-var`): where the gateway is, the admin token, and,
 * for a gateway with TENANTS_FILE, a tenant's API key and id (empty: not sent).
 */
export const COLLECTION_SETTINGS = { baseUrl: 'http://localhost:8000', adminToken: '', apiKey: '', tenant: '' } as const;

/** The user id of the document's first event example, replaced by a fresh one in every run. */
const EXAMPLE_USER = 'user-42';

/** The admin event routes look in the tenant's space (`?tenant=`, left out while `tenant` is empty). */
const inTenant = { tenant: '{{tenant}}' };

/** Runs only when the admin token is given (a gateway without DDUP_ADMIN_TOKEN has no admin routes). */
const admin = { skipWithout: 'adminToken' } as const;

const sameHash = { name: 'is about the event accepted first', assert: "pm.expect(pm.response.json().hash).to.eql(pm.collectionVariables.get('eventHash'))" };

export const COLLECTION_STEPS: readonly CollectionStep[] = [
  {
    name: 'Post a new event',
    operationId: 'postEvent',
    status: 202,
    fresh: ['eventUserId'],
    body: { example: 'new', replace: { [EXAMPLE_USER]: '{{eventUserId}}' } },
    capture: { eventHash: 'hash' },
  },
  {
    name: 'Post the same event again',
    operationId: 'postEvent',
    status: 409,
    body: { example: 'new', replace: { [EXAMPLE_USER]: '{{eventUserId}}' } },
    checks: [sameHash],
  },
  {
    name: 'Post an invalid event',
    operationId: 'postEvent',
    status: 422,
    body: { example: 'invalid' },
    checks: [
      {
        name: 'names the missing payload and the wrong user_id',
        assert:
          "pm.expect(pm.response.json().detail.map(function (problem) { return problem.loc.join('.'); })).to.have.members(['body.user_id', 'body.payload'])",
      },
    ],
  },
  {
    name: 'Post an event with an Idempotency-Key',
    operationId: 'postEvent',
    status: 202,
    fresh: ['keyedUserId', 'idempotencyKey'],
    headers: { 'Idempotency-Key': '{{idempotencyKey}}' },
    body: { example: 'new', replace: { [EXAMPLE_USER]: '{{keyedUserId}}' } },
  },
  {
    name: 'Post it again with the same Idempotency-Key',
    operationId: 'postEvent',
    status: 409,
    headers: { 'Idempotency-Key': '{{idempotencyKey}}' },
    body: { example: 'new', replace: { [EXAMPLE_USER]: '{{keyedUserId}}' } },
  },
  {
    name: 'Reuse the Idempotency-Key for another event',
    operationId: 'postEvent',
    status: 422,
    headers: { 'Idempotency-Key': '{{idempotencyKey}}' },
    body: { example: 'new', replace: { [EXAMPLE_USER]: '{{eventUserId}}' } },
    checks: [{ name: 'says the key was used for other content', assert: "pm.expect(pm.response.json().code).to.eql('idempotency_key_reused')" }],
  },
  {
    name: 'Post with an empty Idempotency-Key',
    operationId: 'postEvent',
    status: 400,
    headers: { 'Idempotency-Key': '""' },
    body: { example: 'new', replace: { [EXAMPLE_USER]: '{{keyedUserId}}' } },
  },
  {
    name: 'Post a batch: new, the same again, invalid',
    operationId: 'postEventBatch',
    status: 200,
    fresh: ['batchUserId'],
    body: { example: 'mixed', replace: { [EXAMPLE_USER]: '{{batchUserId}}' } },
    checks: [
      {
        name: 'one result per item, in order',
        assert: "pm.expect(pm.response.json().results.map(function (result) { return result.status; })).to.eql(['accepted', 'duplicate', 'invalid'])",
      },
    ],
  },
  { name: 'Service test route', operationId: 'serviceTest', status: 200 },
  { name: 'Liveness', operationId: 'healthz', status: 200 },
  { name: 'Readiness', operationId: 'readyz', status: 200 },
  {
    name: 'OpenAPI document',
    operationId: 'openApiDocument',
    status: 200,
    checks: [{ name: 'is OpenAPI 3.1', assert: "pm.expect(pm.response.json().openapi).to.eql('3.1.0')" }],
  },
  { name: 'API reference page', operationId: 'docsPage', status: 200 },
  { name: 'Prometheus metrics', operationId: 'metrics', status: 200 },
  { name: 'Dashboard page', operationId: 'dashboard', status: 200 },
  {
    name: 'Admin: look up the accepted event',
    operationId: 'lookupEvent',
    ...admin,
    status: 200,
    path: { hash: '{{eventHash}}' },
    query: inTenant,
    checks: [sameHash],
  },
  {
    name: 'Admin: forget it',
    operationId: 'forgetEvent',
    ...admin,
    status: 200,
    path: { hash: '{{eventHash}}' },
    query: inTenant,
    checks: [sameHash, { name: 'says it is forgotten', assert: 'pm.expect(pm.response.json().forgotten).to.eql(true)' }],
  },
  { name: 'Admin: look it up again', operationId: 'lookupEvent', status: 404, path: { hash: '{{eventHash}}' }, query: inTenant, ...admin },
  {
    name: 'Post the forgotten event again',
    operationId: 'postEvent',
    ...admin,
    status: 202,
    body: { example: 'new', replace: { [EXAMPLE_USER]: '{{eventUserId}}' } },
    checks: [sameHash],
  },
  { name: 'Admin without the token', operationId: 'lookupEvent', status: 401, path: { hash: '{{eventHash}}' }, query: inTenant, withoutToken: true, ...admin },
  { name: 'Admin: list dead letters', operationId: 'listDeadLetters', status: 200, query: { limit: '10' }, ...admin },
];
