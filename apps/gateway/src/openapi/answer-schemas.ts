import { z } from 'zod';
import { TENANT_ID } from '@ddup/store';
import { MAX_IDEMPOTENCY_KEY_CHARS } from '../tenants/request-guards.ts';
import { eventSchema } from '../validation/event-schema.ts';

/**
 * The shapes of the gateway's answers, as zod schemas the OpenAPI document is generated from (the
 * request schema is the one that validates requests). Each is exact (`additionalProperties: false`),
 * so the Postman collection's schema checks catch an answer that grew a field the document lacks.
 */

/** Names the schemas that become `components.schemas` entries (and `$ref`s wherever they are used). */
export const documentedSchemas = z.registry<{ id: string }>();

function documented<T extends z.ZodType>(id: string, schema: T): T {
  documentedSchemas.add(schema, { id });
  return schema;
}

documented('Event', eventSchema);

const dateTime = (description: string) => z.string().meta({ format: 'date-time', description });

export const hashSchema = documented(
  'Hash',
  z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .meta({
      description: "The dedup key, SHA-256 in lowercase hex: of the event's canonical form, or, for a tenant with `key_fields`, of just those fields",
      examples: ['2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
    }),
);

const eventState = documented(
  'EventState',
  z.enum(['pending', 'processed']).meta({ description: '`pending` until a consumer-group worker confirms the event, then `processed`' }),
);

const streamEntryId = documented(
  'StreamEntryId',
  z
    .string()
    .regex(/^\d+-\d+$/)
    .meta({ description: 'A Redis stream entry id (`<ms>-<seq>`)', examples: ['1795480777001-0'] }),
);

const firstSeenAt = dateTime('When the event was first accepted (UTC); null for an event only the Python service remembered (SEED_LEGACY_KEYS)').nullable();

const problem = documented(
  'ValidationProblem',
  z
    .object({
      type: z.string().meta({ description: '`missing`, `string_type`, `dict_type`, `model_attributes_type`, `json_invalid`, `list_type`, `too_long`, ...' }),
      loc: z.array(z.union([z.string(), z.int()])).meta({ description: 'Where: `body`, then field names or offsets' }),
      msg: z.string(),
      input: z.unknown(),
      ctx: z.record(z.string(), z.unknown()).optional(),
    })
    .meta({ description: 'One problem, in the shape FastAPI/pydantic v2 gave' }),
);

const deadLetter = documented(
  'DeadLetter',
  z.object({
    shard: z.int().nonnegative(),
    id: streamEntryId.meta({ description: 'The dead entry id (what replay takes)' }),
    source_id: z.string().nullable().meta({ description: 'The stream entry it was (events stream, or a sink’s replay stream)' }),
    reason: z.string().nullable(),
    deliveries: z.int().nonnegative().nullable(),
    hash: z.string().nullable().meta({ description: "The entry's hash field as it was (a malformed one may be why it is here)" }),
    event: z.string().nullable().meta({ description: "The entry's canonical event text, as it was in the stream" }),
  }),
);

export const answerSchemas = {
  accepted: documented(
    'AcceptedEvent',
    z.object({
      status: z.literal('accepted'),
      // The event as parsed, numbers as written: what was hashed.
      event: eventSchema,
      timestamp: dateTime('When the event was accepted'),
      id: streamEntryId,
      hash: hashSchema,
    }),
  ),
  duplicate: documented(
    'DuplicateEvent',
    z.object({
      detail: z.literal('Duplicate event detected'),
      code: z.literal('duplicate'),
      hash: hashSchema,
      state: eventState,
      first_seen_at: firstSeenAt,
    }),
  ),
  validationFailed: documented(
    'ValidationError',
    z.object({ detail: z.array(problem), code: z.literal('validation_failed') }).meta({ description: 'The request was not valid: every problem found' }),
  ),
  bodyTooLarge: documented('BodyTooLarge', z.object({ detail: z.string(), code: z.literal('body_too_large'), limit_bytes: z.int() })),
  unavailable: documented(
    'Unavailable',
    z
      .discriminatedUnion('code', [
        z.object({ detail: z.string(), code: z.literal('redis_unavailable'), reason: z.string() }),
        z.object({ detail: z.string(), code: z.literal('overloaded'), max_inflight_body_bytes: z.int() }),
      ])
      .meta({
        description: 'Nothing was stored: Redis could not answer in time (`redis_unavailable`), or too many request bodies are in memory (`overloaded`)',
      }),
  ),
  notFound: documented('NotFound', z.object({ detail: z.string(), code: z.literal('not_found') })),
  unauthorized: documented('Unauthorized', z.object({ detail: z.string(), code: z.literal('unauthorized') })),
  invalidIdempotencyKey: documented(
    'InvalidIdempotencyKey',
    z.object({ detail: z.string(), code: z.literal('invalid_idempotency_key') }).meta({ description: 'The Idempotency-Key header is empty or too long' }),
  ),
  idempotencyKeyReused: documented(
    'IdempotencyKeyReused',
    z
      .object({ detail: z.string(), code: z.literal('idempotency_key_reused') })
      .meta({ description: 'The Idempotency-Key came before with other content; nothing was admitted' }),
  ),
  rateLimited: documented(
    'RateLimited',
    z.object({
      detail: z.string(),
      code: z.enum(['rate_limited', 'quota_exceeded']).meta({
        description: '`rate_limited`: past rate_limit_per_second; `quota_exceeded`: a new Idempotency-Key while the tenant holds its max_idempotency_keys',
      }),
      retry_after_ms: z.int().nonnegative().meta({ description: "Milliseconds until the tenant's rate limit (or quota) has room for the request again" }),
      max_idempotency_keys: z.int().positive().optional().meta({ description: 'With quota_exceeded: the quota' }),
    }),
  ),
  batch: documented(
    'BatchAnswer',
    z.object({
      results: z.array(
        z.discriminatedUnion('status', [
          z.object({ status: z.literal('accepted'), id: streamEntryId, hash: hashSchema }),
          z.object({ status: z.literal('duplicate'), hash: hashSchema, state: eventState, first_seen_at: firstSeenAt }),
          z.object({ status: z.literal('invalid'), detail: z.array(problem) }),
        ]),
      ),
      accepted: z.int().nonnegative(),
      duplicates: z.int().nonnegative(),
      invalid: z.int().nonnegative(),
    }),
  ),
  serviceTest: documented('ServiceTest', z.object({ message: z.literal('successful') })),
  healthy: documented('Healthy', z.object({ status: z.literal('ok') })),
  ready: documented('Ready', z.object({ status: z.literal('ready') })),
  notReady: documented(
    'NotReady',
    z.object({
      status: z.literal('not ready'),
      reason: z.enum(['unreachable', 'out_of_memory', 'eviction_policy', 'redis_reset']),
      detail: z.string(),
    }),
  ),
  remembered: documented(
    'RememberedEvent',
    z.object({
      hash: hashSchema,
      state: eventState,
      first_seen_at: firstSeenAt,
      expires_at: dateTime('When the window forgets the event'),
      sinks: z
        .record(z.string(), z.enum(['delivered', 'pending', 'dead']))
        .optional()
        .meta({
          description:
            'Per sink a consumer has started (SINKS_FILE): `delivered` (acknowledged by the sink: delivered, or not for its tenants), `pending` (not read yet, or read and not acknowledged), `dead` (in its dead letters); absent without sinks',
        }),
    }),
  ),
  forgotten: documented('ForgottenEvent', z.object({ hash: hashSchema, forgotten: z.literal(true) })),
  deadLetters: documented(
    'DeadLetters',
    z.object({
      dead_letters: z.array(deadLetter),
      count: z.int().nonnegative(),
    }),
  ),
  replayRequest: documented(
    'ReplayRequest',
    z.object({
      ids: z.array(z.string()).optional().meta({ description: 'Dead entry ids to replay; absent (or no body): all of them; an empty list replays none' }),
      shard: z.int().nonnegative().optional().meta({
        description:
          'Only this shard (0 to STREAM_SHARDS - 1); absent: every shard. Entry ids are per shard: without it, an id found on two shards replays both',
      }),
    }),
  ),
  sinks: documented(
    'Sinks',
    z.object({
      sinks: z.array(
        z.object({
          id: z.string(),
          lag: z.int().nonnegative().meta({ description: 'Entries not read by the sink yet, over every shard (replays included)' }),
          pending: z.int().nonnegative().meta({ description: 'Read by the sink, not acknowledged yet' }),
          dead_letters: z.int().nonnegative(),
        }),
      ),
    }),
  ),
  sinkDeadLetters: documented('SinkDeadLetters', z.object({ sink: z.string(), dead_letters: z.array(deadLetter), count: z.int().nonnegative() })),
  sinkRangeReplay: documented(
    'SinkRangeReplay',
    z.object({
      from: z.union([z.string().meta({ format: 'date-time' }), z.int().nonnegative()]).meta({ description: 'ISO 8601 date-time, or ms since the epoch' }),
      to: z
        .union([z.string().meta({ format: 'date-time' }), z.int().nonnegative()])
        .optional()
        .meta({ description: 'ISO 8601 date-time, or ms since the epoch; absent: now' }),
    }),
  ),
  sinkRangeReplayed: documented(
    'SinkRangeReplayed',
    z.object({
      sink: z.string(),
      from: dateTime('Start of the range'),
      to: dateTime('End of the range'),
      replayed: z.int().nonnegative().meta({ description: 'Entries of the range still in the events streams, put on the sink’s replay streams' }),
    }),
  ),
  sinkReplayed: documented(
    'SinkReplayed',
    z.object({ sink: z.string(), replayed: z.int().nonnegative(), ids: z.array(streamEntryId).meta({ description: 'The new replay-stream entry ids' }) }),
  ),
  replayed: documented(
    'Replayed',
    z.object({ replayed: z.int().nonnegative(), ids: z.array(streamEntryId).meta({ description: 'The new events-stream entry ids' }) }),
  ),
} as const;

/** An event route's 422: the request is not valid, or its Idempotency-Key was used for other content. */
export const unprocessableEventSchema = documented(
  'UnprocessableEvent',
  z.discriminatedUnion('code', [answerSchemas.validationFailed, answerSchemas.idempotencyKeyReused]).meta({
    description:
      'The request is not valid (`validation_failed`, with FastAPI-shaped problems), or its Idempotency-Key came before with other content (`idempotency_key_reused`)',
  }),
);

/** The `Idempotency-Key` header, once the double quotes of a structured-field string are stripped. */
export const idempotencyKeySchema = z.string().min(1).max(MAX_IDEMPOTENCY_KEY_CHARS);

/** `?tenant=` of the admin event routes: an `id` of TENANTS_FILE. */
export const tenantIdSchema = z
  .string()
  .regex(TENANT_ID)
  .meta({ examples: ['acme'] });

/** `GET /admin/dead-letters?limit=`: how many per shard. */
export const deadLetterLimitSchema = z.int().min(1).max(1000).default(100).meta({ description: 'Most dead letters listed per shard' });
