import { z } from 'zod';
import { parseJsonFile, readSettingsFile } from '@ddup/config';

/** A sink id: it goes into consumer-group and key names, so it is kept short and plain. */
export const SINK_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const SINK_TYPES = ['webhook', 'nats', 'postgres'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

/** Where a new sink's consumer group starts on each stream. */
export const SINK_STARTS = ['earliest', 'now'] as const;
export type SinkStart = (typeof SINK_STARTS)[number];

export const SINK_DEFAULTS = {
  start: 'now',
  maxAttempts: 8,
  initialBackoffMs: 500,
  maxBackoffMs: 60_000,
  concurrency: 4,
  timeoutMs: 10_000,
  batchSize: 100,
  postgresTable: 'ddup_events',
  natsDuplicateWindowSeconds: 3600,
} as const;

/** Standard Webhooks: "whsec_" then the base64 of 24 to 64 random bytes. */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
/** A PostgreSQL table name, optionally schema-qualified, as ddup quotes it: plain identifiers only. */
const TABLE_NAME = /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;
/** A NATS subject to publish on: dot-separated tokens, no wildcards. */
const SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
const STREAM_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const urlWith = (protocols: readonly string[], what: string) =>
  z.string().refine(
    (text) => {
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    },
    { error: `must be a ${what} URL (${protocols.map((protocol) => `${protocol}//`).join(' or ')})` },
  );

const common = {
  id: z.string().regex(SINK_ID, { error: 'must be 1 to 63 lowercase letters, digits, _ or -, starting with a letter or digit' }),
  /** Tenants whose events go to this sink; absent: all. */
  tenants: z.array(z.string().min(1)).min(1, { error: 'leave it out to send every tenant’s events' }).optional(),
  start: z.enum(SINK_STARTS).optional(),
  max_attempts: z.int().min(1).max(1000).optional(),
  initial_backoff_ms: z
    .int()
    .min(1)
    .max(3600 * 1000)
    .optional(),
  max_backoff_ms: z
    .int()
    .min(1)
    .max(24 * 3600 * 1000)
    .optional(),
  concurrency: z.int().min(1).max(1024).optional(),
  timeout_ms: z
    .int()
    .min(1)
    .max(10 * 60 * 1000)
    .optional(),
  batch_size: z.int().min(1).max(10_000).optional(),
};

const webhookSchema = z.strictObject({
  ...common,
  type: z.literal('webhook'),
  url: urlWith(['http:', 'https:'], 'http(s)'),
  secret: z
    .string()
    .regex(WEBHOOK_SECRET, { error: 'must be "whsec_" then base64' })
    .refine(
      (secret) => {
        const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
        return bytes >= 24 && bytes <= 64;
      },
      { error: 'must hold 24 to 64 bytes after "whsec_" (base64)' },
    ),
});

const natsSchema = z.strictObject({
  ...common,
  type: z.literal('nats'),
  /** One server or several, as nats.js takes them: `nats://host:port`, `tls://…` or `host:port`. */
  servers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'must be a server ("nats://host:4222") or a list of them' }),
  subject: z.string().regex(SUBJECT, { error: 'must be a subject to publish on: dot-separated tokens without spaces or wildcards' }),
  /** The JetStream stream to publish into; created (capturing `subject`) when it does not exist. */
  stream: z.string().regex(STREAM_NAME, { error: 'must be 1 to 255 letters, digits, _ or -' }).optional(),
  /** Only when ddup creates the stream: how long JetStream remembers a Nats-Msg-Id to drop a repeat. */
  duplicate_window_seconds: z
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
});

const postgresSchema = z.strictObject({
  ...common,
  type: z.literal('postgres'),
  url: urlWith(['postgres:', 'postgresql:'], 'postgres'),
  table: z.string().regex(TABLE_NAME, { error: 'must be a lowercase identifier (letters, digits, _), optionally schema.table' }).optional(),
});

const sinkSchema = z.discriminatedUnion('type', [webhookSchema, natsSchema, postgresSchema], {
  error: `must be one of ${SINK_TYPES.join(', ')}`,
});

const fileSchema = z.strictObject({ sinks: z.array(sinkSchema) });

interface CommonSinkConfig {
  readonly id: string;
  /** Undefined: every tenant's events (and events without a tenant). */
  readonly tenants: readonly string[] | undefined;
  readonly start: SinkStart;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly batchSize: number;
}

export interface WebhookSinkConfig extends CommonSinkConfig {
  readonly type: 'webhook';
  readonly url: string;
  /** As written: "whsec_" + base64. */
  readonly secret: string;
}

export interface NatsSinkConfig extends CommonSinkConfig {
  readonly type: 'nats';
  readonly servers: readonly string[];
  readonly subject: string;
  /** Undefined: the stream that already captures `subject` (none: publishing fails, retried). */
  readonly stream: string | undefined;
  readonly duplicateWindowSeconds: number;
}

export interface PostgresSinkConfig extends CommonSinkConfig {
  readonly type: 'postgres';
  /** Holds the password when there is one: keep it out of logs. */
  readonly url: string;
  readonly table: string;
}

export type SinkConfig = WebhookSinkConfig | NatsSinkConfig | PostgresSinkConfig;

export interface SinksConfig {
  readonly sinks: readonly SinkConfig[];
}

/** Whether `sink` takes an event of `tenant`: every event when it lists no tenants, else only theirs. */
export function sinkTakes(sink: Pick<SinkConfig, 'tenants'>, tenant: string | undefined): boolean {
  return sink.tenants === undefined || (tenant !== undefined && sink.tenants.includes(tenant));
}

type SinkEntry = z.output<typeof sinkSchema>;

function sinkOf(entry: SinkEntry): SinkConfig {
  const common: CommonSinkConfig = {
    id: entry.id,
    tenants: entry.tenants,
    start: entry.start ?? SINK_DEFAULTS.start,
    maxAttempts: entry.max_attempts ?? SINK_DEFAULTS.maxAttempts,
    initialBackoffMs: entry.initial_backoff_ms ?? SINK_DEFAULTS.initialBackoffMs,
    maxBackoffMs: entry.max_backoff_ms ?? SINK_DEFAULTS.maxBackoffMs,
    concurrency: entry.concurrency ?? SINK_DEFAULTS.concurrency,
    timeoutMs: entry.timeout_ms ?? SINK_DEFAULTS.timeoutMs,
    batchSize: entry.batch_size ?? SINK_DEFAULTS.batchSize,
  };
  switch (entry.type) {
    case 'webhook':
      return { ...common, type: 'webhook', url: entry.url, secret: entry.secret };
    case 'nats':
      return {
        ...common,
        type: 'nats',
        servers: typeof entry.servers === 'string' ? entry.servers.split(',').map((server) => server.trim()) : entry.servers,
        subject: entry.subject,
        stream: entry.stream,
        duplicateWindowSeconds: entry.duplicate_window_seconds ?? SINK_DEFAULTS.natsDuplicateWindowSeconds,
      };
    case 'postgres':
      return { ...common, type: 'postgres', url: entry.url, table: entry.table ?? SINK_DEFAULTS.postgresTable };
  }
}

/** Where an issue is, in the words of the file: `sinks[1] ("bus"): servers`. */
function placeOf(path: readonly PropertyKey[], raw: unknown): string {
  const [top, index, ...field] = path;
  if (top !== 'sinks' || typeof index !== 'number') return path.length === 0 ? 'the file' : path.map(String).join('.');
  const sinks = (raw as { sinks?: unknown[] }).sinks;
  const id = (sinks?.[index] as { id?: unknown } | undefined)?.id;
  const who = typeof id === 'string' ? `sinks[${index}] ("${id}")` : `sinks[${index}]`;
  return field.length === 0 ? who : `${who}: ${field.map(String).join('.')}`;
}

/** Problems no field-by-field check sees: ids used twice. */
function crossChecks(entries: readonly SinkEntry[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (seen.has(entry.id)) problems.push(`sinks[${index}] ("${entry.id}"): id: is used by an earlier sink`);
    seen.add(entry.id);
  }
  return problems;
}

const rules = { schema: fileSchema, placeOf, crossChecks: (file: z.output<typeof fileSchema>) => crossChecks(file.sinks) };

/** The sinks in `text` (a SINKS_FILE's content); throws a ConfigError naming each bad sink and field. */
export function parseSinksFile(text: string, source = 'SINKS_FILE'): SinksConfig {
  return { sinks: parseJsonFile(text, source, rules).sinks.map(sinkOf) };
}

/** Reads and parses the file at `path`; a file that cannot be read is a ConfigError too. */
export function loadSinksFile(path: string): SinksConfig {
  return parseSinksFile(readSettingsFile('SINKS_FILE', path), `SINKS_FILE ${path}`);
}
