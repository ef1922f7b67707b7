import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError, booleanVar, enumVar, integerVar, parseEnv, redisVariables } from '@ddup/config';
import { layoutVariables } from './settings.ts';

// The shared variables as a process composes them: config's own (where Redis is) and the store's
// layout, next to a process's own (a port, a flag, an enum).
const schema = z.object({
  ...redisVariables,
  ...layoutVariables,
  CANONICAL_FORM: enumVar(['python', 'jcs'], 'python'),
  PORT: integerVar({ min: 1, max: 65_535, fallback: 8000 }),
  DEBUG: booleanVar(false),
});

describe('parseEnv', () => {
  it('applies documented defaults', () => {
    expect(parseEnv(schema, {})).toEqual({
      REDIS_URL: undefined,
      REDIS_CONNECT_TIMEOUT_MS: 0,
      DEDUP_WINDOW_SECONDS: 604_800,
      STREAM_SHARDS: 1,
      INDEX_CAPACITY: 10_000_000,
      CANONICAL_FORM: 'python',
      PORT: 8000,
      DEBUG: false,
    });
  });

  it('parses good values and treats empty ones as unset', () => {
    const config = parseEnv(schema, {
      PORT: '9000',
      STREAM_SHARDS: '16',
      CANONICAL_FORM: 'jcs',
      DEBUG: 'yes',
      REDIS_URL: 'redis://h:1',
      DEDUP_WINDOW_SECONDS: ' ',
    });
    expect(config).toMatchObject({
      PORT: 9000,
      STREAM_SHARDS: 16,
      CANONICAL_FORM: 'jcs',
      DEBUG: true,
      REDIS_URL: 'redis://h:1',
      DEDUP_WINDOW_SECONDS: 604_800,
    });
  });

  it('names every bad variable and the value it had', () => {
    let error: unknown;
    try {
      parseEnv(schema, { PORT: 'abc', STREAM_SHARDS: '0', CANONICAL_FORM: 'xml', REDIS_URL: 'localhost:6379', DEDUP_WINDOW_SECONDS: '-5' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT: must be a whole number from 1 to 65535 (got "abc")');
    expect(message).toContain('STREAM_SHARDS: must be at least 1 (got "0")');
    expect(message).toContain('CANONICAL_FORM: must be one of python, jcs (got "xml")');
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(message).toContain('DEDUP_WINDOW_SECONDS: must be a whole number');
    expect((error as ConfigError).problems).toHaveLength(5);
  });
});
