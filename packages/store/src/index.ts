export {
  CONSUMER_GROUP,
  INDEX_LAYOUT_KEY,
  KEY_PREFIX,
  REDIS_RESET_KEY,
  SHARD_COUNT_KEY,
  SeenState,
  TENANT_ID,
  allEventsStreamKeys,
  idempotencyCountKey,
  idempotencyKeyPattern,
  spaceOfIdempotencyKeyName,
  TENANT_KEY_PATTERN,
  idempotencyKeyName,
  rateLimitKey,
  tenantPart,
  deadLetterStreamKey,
  eventsStreamKey,
  formerSeenKey,
  legacyKey,
  shardOfEventsStreamKey,
  shardOfStreamKey,
  shardTag,
  SINK_GROUP_PREFIX,
  sinkDeadLetterStreamKey,
  sinkGroupName,
  sinkOfGroupName,
  sinkReplayStreamKey,
} from './names.ts';
export {
  SinkStreams,
  inspectSinks,
  replaySinkRange,
  sinkDeliveryStates,
  sinksWithGroups,
  type SinkBacklog,
  type SinkDeliveryState,
  type SinkGroupStart,
} from './sink-streams.ts';
export {
  BUCKET_HEADER_BYTES,
  DEFAULT_INDEX_CAPACITY,
  INDEX_BUCKET_KEY_PATTERN,
  INDEX_LAYOUT,
  RECORD_BYTES,
  RECORDS_PER_BUCKET,
  bucketOf,
  fingerprintOf,
  indexBucketKey,
  indexLayoutOf,
  spaceOfIndexBucketKey,
  type IndexLayout,
} from './index-layout.ts';
export { MAX_SHARDS, shardOf } from './shard.ts';
export { type LuaScript, type VariadicLuaScript, admitScript, withIncludes } from './scripts.ts';
export { runScript, type RedisCommandSender } from './script-runner.ts';
export { LayoutMismatchError, checkLayout, shardCountMismatch } from './layout-guard.ts';
export { compareIds, safeTrimId, trimAcknowledged } from './trim-point.ts';
export {
  NEW_ENTRIES,
  StreamGroup,
  groupsOfStream,
  isMissingGroupError,
  pendingSummaryOf,
  type PendingEntry,
  type PendingSummary,
  type ReadCursor,
  type StreamBatch,
} from './streams/consumer-group.ts';
export {
  ENTRY_FIELDS,
  decodeStreamEntries,
  decodeStreamEntry,
  encodeStreamEntry,
  entryTimeMs,
  type EventEntry,
  type RawStreamEntry,
} from './streams/stream-entry.ts';
export { fieldsOf } from './streams/flat-reply.ts';
export { lastOfStream, rangeOfStream, readEventEntries } from './streams/stream-reads.ts';
export {
  Store,
  type AdmitResult,
  type EntryToConfirm,
  type EventToAdmit,
  type IdempotencyClaim,
  type RateDecision,
  type RateLimit,
  type RememberedEvent,
  type StoreSettings,
} from './store.ts';
export { SEVEN_DAYS_SECONDS, layoutVariables, redisResetVariables } from './settings.ts';
export {
  DEAD_LETTER_PAGE_SIZE,
  countDeadLetters,
  deadLetterSummary,
  findDeadLetters,
  listDeadLetters,
  readDeadLetters,
  replayAllDeadLetters,
  replayDeadLetters,
  replayDeadLettersById,
  type DeadLetter,
  type DeadLetterSelection,
} from './dead-letters.ts';
export { readRecordedLayout, type RecordedLayout } from './recorded-layout.ts';
export { type RedisResetState, acceptRedisReset, hasRecordedLayout, markRedisResetPending, readRedisReset } from './redis-reset.ts';
export {
  FIRST_SAMPLE_BUCKETS,
  MAX_SAMPLE_BUCKETS,
  BUCKETS_PER_CALL,
  MAX_SAMPLE_CALLS,
  SAMPLE_BUDGET_BUCKETS,
  estimateRememberedEvents,
  type RememberedSpace,
  inspectShards,
  type ConsumerInspection,
  type ShardInspection,
} from './inspection.ts';
