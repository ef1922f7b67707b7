import { jsonContent, parameterRef, responseRef, schemaRef } from './openapi-components.ts';
import type { Example, Operation, PathItem, Reference, Response, SecurityRequirement } from './openapi-types.ts';

/** Request examples, by name: the Postman collection sends these. */
export const eventExamples = {
  new: {
    summary: 'A new event (202), the same again (409)',
    value: { user_id: 'user-42', event_type: 'page_view', timestamp: '2026-01-01T12:00:00Z', payload: { page: '/pricing', duration_ms: 1250 } },
  },
  invalid: {
    summary: 'No payload, a number for user_id (422)',
    value: { user_id: 42, event_type: 'page_view', timestamp: '2026-01-01T12:00:00Z' },
  },
} satisfies Record<string, Example>;

const batchExample = {
  summary: 'An event, the same event again, an invalid one: accepted, duplicate, invalid',
  value: [eventExamples.new.value, eventExamples.new.value, eventExamples.invalid.value],
} satisfies Example;

/** The errors both event routes share. */
const eventErrors: Record<string, Response | Reference> = {
  '400': responseRef('InvalidIdempotencyKey'),
  '401': responseRef('ApiKeyRequired'),
  '413': responseRef('BodyTooLarge'),
  '422': responseRef('EventUnprocessable'),
  '429': responseRef('RateLimited'),
  '503': responseRef('Unavailable'),
};

/** A tenant's API key in either form, or none (`{}`): the key is needed only when `TENANTS_FILE` is set. */
const eventSecurity: readonly SecurityRequirement[] = [{ apiKey: [] }, { apiKeyHeader: [] }, {}];

const TENANTS_NOTE =
  "With `TENANTS_FILE` set, the request needs a tenant's API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`; 401 without one) and is deduplicated in that tenant's space, within its `rate_limit_per_second` (429 past it). Without `TENANTS_FILE` the route is open: one default space for every client.";

const postEvent: Operation = {
  operationId: 'postEvent',
  summary: 'Admit one event',
  description: [
    'Parses the body as JSON (whatever its `Content-Type`), validates it, hashes `{user_id, event_type, timestamp, payload}` (or, for a tenant with `key_fields`, just those fields) and admits it: the first occurrence within the window goes to the stream (202), later ones get 409.',
    TENANTS_NOTE,
    'With `Idempotency-Key`, the same key and the same event again is a 409; the same key with another event is a 422 `idempotency_key_reused`.',
  ].join('\n\n'),
  tags: ['events'],
  security: eventSecurity,
  parameters: [parameterRef('IdempotencyKey')],
  requestBody: { required: true, content: { 'application/json': { schema: schemaRef('Event'), examples: eventExamples } } },
  responses: {
    '202': { description: "Accepted: new within the window, and on its stream; `hash` is the event's dedup key", content: jsonContent('AcceptedEvent') },
    '409': {
      description: 'A duplicate: seen within the window (so is the same event again under the same Idempotency-Key)',
      content: jsonContent('DuplicateEvent'),
    },
    ...eventErrors,
  },
};

const postBatch: Operation = {
  operationId: 'postEventBatch',
  summary: 'Admit a batch of events',
  description: [
    'A JSON array of events, or NDJSON (`application/x-ndjson`, `application/ndjson`, `application/jsonl`: one event per line). One result per item, in order; each item is checked as `POST /events` checks a body. 422 for a body that is not an array, malformed JSON, or more than `BATCH_MAX_EVENTS` items (nothing is admitted then).',
    `${TENANTS_NOTE} Each valid item takes one token of the rate limit; a batch that does not fit is refused whole.`,
    'With `Idempotency-Key`, the batch is the body as sent: the same body again gets 200 with its items as duplicates; another body with the same key is a 422 `idempotency_key_reused`.',
  ].join('\n\n'),
  tags: ['events'],
  security: eventSecurity,
  parameters: [parameterRef('IdempotencyKey')],
  requestBody: {
    required: true,
    content: {
      'application/json': { schema: { type: 'array', items: schemaRef('Event') }, examples: { mixed: batchExample } },
      'application/x-ndjson': { schema: { type: 'string', description: 'One JSON event per line; blank lines are ignored' } },
    },
  },
  responses: {
    '200': { description: 'One result per item: accepted, duplicate or invalid', content: jsonContent('BatchAnswer') },
    ...eventErrors,
  },
};

const serviceTest: Operation = {
  operationId: 'serviceTest',
  summary: "The Python service's test route",
  tags: ['health'],
  responses: { '200': { description: 'The gateway answers', content: jsonContent('ServiceTest') } },
};

const healthz: Operation = {
  operationId: 'healthz',
  summary: 'Liveness: the process answers',
  tags: ['health'],
  responses: { '200': { description: 'Alive', content: jsonContent('Healthy') } },
};

const readyz: Operation = {
  operationId: 'readyz',
  summary: 'Readiness: Redis can take admissions',
  tags: ['health'],
  responses: {
    '200': { description: 'Ready', content: jsonContent('Ready') },
    '503': {
      description: 'Not ready: Redis unreachable, out of memory, or with an eviction policy other than `noeviction`',
      headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
      content: jsonContent('NotReady'),
    },
  },
};

const text = (mediaType: string, description: string): Response['content'] => ({ [mediaType]: { schema: { type: 'string', description } } });

const openApiJson: Operation = {
  operationId: 'openApiDocument',
  summary: 'This OpenAPI 3.1 document',
  tags: ['operations'],
  responses: { '200': { description: 'The document', content: { 'application/json': { schema: { type: 'object' } } } } },
};

const docsPage: Operation = {
  operationId: 'docsPage',
  summary: 'This reference, as a page (Swagger UI, served locally)',
  tags: ['operations'],
  responses: { '200': { description: 'The page', content: text('text/html', 'HTML') } },
};

const metrics: Operation = {
  operationId: 'metrics',
  summary: 'Prometheus metrics',
  tags: ['operations'],
  responses: { '200': { description: 'The Prometheus text exposition format', content: text('text/plain', 'Prometheus text format 0.0.4') } },
};

const dashboard: Operation = {
  operationId: 'dashboard',
  summary: 'The operations dashboard',
  tags: ['operations'],
  responses: { '200': { description: 'The page', content: text('text/html', 'HTML') } },
};

const dashboardStream: Operation = {
  operationId: 'dashboardStream',
  summary: "The dashboard's live figures",
  description: 'Server-sent events: a `figures` message at once, then one per tick, until the client goes.',
  tags: ['operations'],
  responses: { '200': { description: 'An endless event stream', content: text('text/event-stream', 'Server-sent events') } },
};

/** Every admin route: the token, and 404 while there is none. */
function adminOperation(operation: Omit<Operation, 'tags' | 'security'>): Operation {
  return {
    ...operation,
    tags: ['admin'],
    security: [{ adminToken: [] }],
    responses: { ...operation.responses, '401': responseRef('Unauthorized'), '503': responseRef('Unavailable') },
  };
}

const lookupEvent = adminOperation({
  operationId: 'lookupEvent',
  summary: 'What the window remembers of an event',
  parameters: [parameterRef('Hash'), parameterRef('Tenant')],
  responses: {
    '200': { description: 'Remembered', content: jsonContent('RememberedEvent') },
    '404': responseRef('AdminNotFound'),
    '422': responseRef('ValidationFailed'),
  },
});

const forgetEvent = adminOperation({
  operationId: 'forgetEvent',
  summary: 'Forget an event: the next one like it is accepted again',
  parameters: [parameterRef('Hash'), parameterRef('Tenant')],
  responses: {
    '200': { description: 'Forgotten', content: jsonContent('ForgottenEvent') },
    '404': responseRef('AdminNotFound'),
    '422': responseRef('ValidationFailed'),
  },
});

const listDeadLetters = adminOperation({
  operationId: 'listDeadLetters',
  summary: 'The oldest dead letters of each shard',
  parameters: [parameterRef('DeadLetterLimit')],
  responses: {
    '200': { description: 'Dead letters, shard by shard', content: jsonContent('DeadLetters') },
    '404': responseRef('AdminNotFound'),
    '422': responseRef('ValidationFailed'),
  },
});

const replayDeadLetters = adminOperation({
  operationId: 'replayDeadLetters',
  summary: 'Put dead letters back on their events stream',
  requestBody: {
    required: false,
    content: jsonContent('ReplayRequest', {
      some: { summary: 'Two of them', value: { ids: ['1795480777001-0', '1795480777002-0'] } },
      oneShard: { summary: 'One letter of shard 1', value: { ids: ['1795480777001-0'], shard: 1 } },
    }),
  },
  responses: {
    '200': { description: 'Replayed', content: jsonContent('Replayed') },
    '404': responseRef('AdminNotFound'),
    '413': responseRef('BodyTooLarge'),
    '422': responseRef('ValidationFailed'),
  },
});

const listSinks = adminOperation({
  operationId: 'listSinks',
  summary: 'Each sink a consumer has started: its lag, pending entries and dead letters',
  responses: { '200': { description: 'The sinks', content: jsonContent('Sinks') }, '404': responseRef('AdminNotFound') },
});

const listSinkDeadLetters = adminOperation({
  operationId: 'listSinkDeadLetters',
  summary: 'The oldest dead letters of one sink, per shard',
  parameters: [parameterRef('SinkId'), parameterRef('DeadLetterLimit')],
  responses: {
    '200': { description: 'The sink’s dead letters, shard by shard', content: jsonContent('SinkDeadLetters') },
    '404': responseRef('AdminNotFound'),
    '422': responseRef('ValidationFailed'),
  },
});

const replaySinkDeadLetters = adminOperation({
  operationId: 'replaySinkDeadLetters',
  summary: 'Deliver a sink’s dead letters again, to that sink only',
  parameters: [parameterRef('SinkId')],
  requestBody: { required: false, content: jsonContent('ReplayRequest') },
  responses: {
    '200': { description: 'Put on the sink’s replay stream', content: jsonContent('SinkReplayed') },
    '404': responseRef('AdminNotFound'),
    '413': responseRef('BodyTooLarge'),
    '422': responseRef('ValidationFailed'),
  },
});

const replaySinkRange = adminOperation({
  operationId: 'replaySinkRange',
  summary: 'Deliver again to one sink every event admitted in a time range and still in the streams (same ids: the sink drops what it has)',
  parameters: [parameterRef('SinkId')],
  requestBody: {
    required: true,
    content: jsonContent('SinkRangeReplay', {
      halfHour: { summary: 'Half an hour', value: { from: '2026-03-01T10:00:00Z', to: '2026-03-01T10:30:00Z' } },
    }),
  },
  responses: {
    '200': { description: 'Copied to the sink’s replay stream', content: jsonContent('SinkRangeReplayed') },
    '404': responseRef('AdminNotFound'),
    '413': responseRef('BodyTooLarge'),
    '422': responseRef('ValidationFailed'),
  },
});

/** The document's `paths`: every route the gateway serves but the pages' own files (`/docs/assets/*`, `/dashboard/assets/*`); the event routes under `apiPrefix`. */
export function openApiPaths(apiPrefix: string): Record<string, PathItem> {
  return {
    [`${apiPrefix}/events`]: { post: postEvent },
    [`${apiPrefix}/events/batch`]: { post: postBatch },
    [`${apiPrefix}/test`]: { get: serviceTest },
    '/healthz': { get: healthz },
    '/readyz': { get: readyz },
    '/admin/events/{hash}': { get: lookupEvent, delete: forgetEvent },
    '/admin/dead-letters': { get: listDeadLetters },
    '/admin/dead-letters/replay': { post: replayDeadLetters },
    '/admin/sinks': { get: listSinks },
    '/admin/sinks/{id}/dead-letters': { get: listSinkDeadLetters },
    '/admin/sinks/{id}/dead-letters/replay': { post: replaySinkDeadLetters },
    '/admin/sinks/{id}/replay': { post: replaySinkRange },
    '/metrics': { get: metrics },
    '/dashboard': { get: dashboard },
    '/dashboard/stream': { get: dashboardStream },
    '/openapi.json': { get: openApiJson },
    '/docs': { get: docsPage },
  };
}
