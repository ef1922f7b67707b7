import { z } from 'zod';
import { eventSchema } from '../validation/event-schema.ts';
import { deadLetterLimitSchema, documentedSchemas, hashSchema, idempotencyKeySchema, tenantIdSchema } from './answer-schemas.ts';
import type { Example, Header, JsonSchema, MediaType, OpenApiDocument, Parameter, Reference, Response } from './openapi-types.ts';

/** A `$ref` to a component of the document. */
export const schemaRef = (id: string): Reference => ({ $ref: `#/components/schemas/${id}` });
export const responseRef = (id: string): Reference => ({ $ref: `#/components/responses/${id}` });
export const parameterRef = (id: string): Reference => ({ $ref: `#/components/parameters/${id}` });
const headerRef = (id: string): Reference => ({ $ref: `#/components/headers/${id}` });

/** JSON with a schema from `components.schemas`, and examples. */
export function jsonContent(schemaId: string, examples?: MediaType['examples']): Record<string, MediaType> {
  return { 'application/json': { schema: schemaRef(schemaId), ...(examples ? { examples } : {}) } };
}

/**
 * Adjusts what zod writes: `payload` is checked by a predicate (any JSON object), which a JSON
 * Schema cannot say, and zod bounds every integer by ±2^53 - 1, which says nothing here.
 */
function adjustJsonSchema(context: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  if (context.jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete context.jsonSchema.maximum;
  if (context.jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete context.jsonSchema.minimum;
  if (context.zodSchema === eventSchema.shape.payload) {
    Object.assign(context.jsonSchema, { type: 'object', description: 'Any JSON object; its numbers are hashed as written (`100` and `100.0` differ)' });
  }
  if (context.zodSchema === eventSchema) {
    context.jsonSchema.description = 'An event. Unknown top-level fields are accepted and ignored: they are not part of the hash';
  }
}

/** One JSON Schema for `schema`, without the `$schema` a component or parameter must not repeat. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' });
  return rest;
}

/** `components.schemas`: every schema of `documentedSchemas`, referring to each other by `$ref`. */
function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(documentedSchemas, {
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
    override: adjustJsonSchema,
  });
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    components[id] = rest;
  }
  return components;
}

const headers: Record<string, Header> = {
  RetryAfter: { description: 'Seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } },
  WWWAuthenticate: { description: '`Bearer`', required: true, schema: { type: 'string' } },
};

const missingField: Example = {
  summary: 'A field is missing',
  value: {
    detail: [
      {
        type: 'missing',
        loc: ['body', 'payload'],
        msg: 'Field required',
        input: { user_id: 'user-42', event_type: 'page_view', timestamp: '2026-01-01T12:00:00Z' },
      },
    ],
    code: 'validation_failed',
  },
};

/** Answers shared by several operations: the admin routes' and the two event routes'. */
const responses: Record<string, Response> = {
  ValidationFailed: {
    description: 'Not valid: malformed JSON, a missing field, a wrong type (FastAPI-shaped problems)',
    content: jsonContent('ValidationError', { missing: missingField }),
  },
  EventUnprocessable: {
    description:
      'Not valid (`validation_failed`: malformed JSON, a missing field, a wrong type, as FastAPI-shaped problems), or the Idempotency-Key came before with other content (`idempotency_key_reused`). Nothing was admitted',
    content: jsonContent('UnprocessableEvent', {
      missing: missingField,
      reused: {
        summary: 'The Idempotency-Key came before with another event',
        value: { detail: 'This Idempotency-Key was used before with different content; use a new key for a new request', code: 'idempotency_key_reused' },
      },
    }),
  },
  InvalidIdempotencyKey: {
    description: 'The Idempotency-Key header is empty or longer than 255 characters',
    content: jsonContent('InvalidIdempotencyKey'),
  },
  ApiKeyRequired: {
    description: 'Only with `TENANTS_FILE`: no API key (`Authorization: Bearer <key>` or `X-API-Key: <key>`), or a key of no tenant',
    headers: { 'WWW-Authenticate': headerRef('WWWAuthenticate') },
    content: jsonContent('Unauthorized'),
  },
  RateLimited: {
    description:
      "The tenant's `rate_limit_per_second` is spent (`rate_limited`), or it holds its `max_idempotency_keys` and the request brings a new key (`quota_exceeded`): nothing of the request was stored; retry after `Retry-After` seconds",
    headers: { 'Retry-After': headerRef('RetryAfter') },
    content: jsonContent('RateLimited'),
  },
  BodyTooLarge: {
    description: 'The body is over its limit (`BODY_LIMIT_BYTES`, or `BATCH_BODY_LIMIT_BYTES` for a batch)',
    content: jsonContent('BodyTooLarge'),
  },
  Unavailable: {
    description: 'Nothing was stored: retry after `Retry-After` seconds',
    headers: { 'Retry-After': headerRef('RetryAfter') },
    content: jsonContent('Unavailable'),
  },
  Unauthorized: {
    description: 'No `Authorization: Bearer <DDUP_ADMIN_TOKEN>`, or another token',
    headers: { 'WWW-Authenticate': headerRef('WWWAuthenticate') },
    content: jsonContent('Unauthorized'),
  },
  AdminNotFound: {
    description: 'No such event in the window, or no such tenant (`?tenant=`); also every admin route while `DDUP_ADMIN_TOKEN` is unset',
    content: jsonContent('NotFound'),
  },
};

const parameters: Record<string, Parameter> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Names the request, per tenant, for the tenant\'s window: the same key with the same content is answered as a duplicate, with other content 422 `idempotency_key_reused`. 1 to 255 characters; a structured-field string (`"order-7"`) is the same key as the bare value (`order-7`). Empty or longer: 400 `invalid_idempotency_key`',
    schema: jsonSchemaOf(idempotencyKeySchema),
  },
  Tenant: {
    name: 'tenant',
    in: 'query',
    required: false,
    description:
      'The tenant whose dedup space to look in. With `TENANTS_FILE`: required (422 without it), an `id` of the file (404 `not_found` for an unknown one). Without `TENANTS_FILE`, leave it out (or give `default`): there is one default space',
    schema: jsonSchemaOf(tenantIdSchema),
  },
  Hash: {
    name: 'hash',
    in: 'path',
    required: true,
    description: "The event's dedup key (64 lowercase hex), as the 202 and 409 answers give it",
    schema: jsonSchemaOf(hashSchema),
  },
  SinkId: {
    name: 'id',
    in: 'path',
    required: true,
    description: 'A sink of SINKS_FILE, once a consumer has started it (404 before)',
    schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', examples: ['hooks'] },
  },
  DeadLetterLimit: {
    name: 'limit',
    in: 'query',
    required: false,
    description: 'Most dead letters listed per shard (1 to 1000)',
    schema: jsonSchemaOf(deadLetterLimitSchema),
  },
};

/** The document's `components`. */
export function openApiComponents(): OpenApiDocument['components'] {
  return {
    schemas: componentSchemas(),
    responses,
    parameters,
    headers,
    securitySchemes: {
      adminToken: { type: 'http', scheme: 'bearer', description: 'The value of `DDUP_ADMIN_TOKEN`; the admin routes exist only when it is set' },
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description: "A tenant's API key, as `Authorization: Bearer <key>`: required on the event routes when `TENANTS_FILE` is set, not needed without it",
      },
      apiKeyHeader: {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: "A tenant's API key, as `X-API-Key: <key>` (the alternative to the bearer form)",
      },
    },
  };
}
