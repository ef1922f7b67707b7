export {
  CONSUMER_GROUP,
  KEY_PREFIX,
  SHARD_COUNT_KEY,
  SeenState,
  allEventsStreamKeys,
  deadLetterStreamKey,
  eventsStreamKey,
  seenKey,
  shardOfEventsStreamKey,
  shardTag,
} from './names.ts';
export { MAX_SHARDS, shardOf } from './shard.ts';
export {
  admitBatchScript,
  admitScript,
  confirmBatchScript,
  deadLetterScript,
  replayDeadLetterScript,
  type AdmitBatchReply,
  type AdmitReply,
  type LuaScript,
  type MoveReply,
  type VariadicLuaScript,
} from './scripts.ts';
export { runScript, type RedisCommandSender } from './script-runner.ts';
