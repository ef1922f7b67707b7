import { expect, it } from 'vitest';
import { routingKeyOf } from './routing-key.ts';

it('finds the first key of every command shape ddup sends to a cluster', () => {
  expect(routingKeyOf(['EVALSHA', 'abc', '2', 'ddup:{s01}:ix:5', 'ddup:{s01}:events', '60'])).toBe('ddup:{s01}:ix:5');
  expect(routingKeyOf(['EVAL', 'return 1', '0'])).toBeUndefined();
  expect(routingKeyOf(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '10', 'BLOCK', '5', 'STREAMS', 'ddup:{s03}:events', '>'])).toBe('ddup:{s03}:events');
  expect(routingKeyOf(['XINFO', 'GROUPS', 'ddup:{s02}:events'])).toBe('ddup:{s02}:events');
  expect(routingKeyOf(['XGROUP', 'CREATE', 'ddup:{s02}:events', 'g', '0', 'MKSTREAM'])).toBe('ddup:{s02}:events');
  expect(routingKeyOf(['XACK', 'ddup:{s04}:events', 'g', '1-0'])).toBe('ddup:{s04}:events');
  expect(routingKeyOf(['set', 'ddup:meta:stream-shards', '16', 'NX', 'GET'])).toBe('ddup:meta:stream-shards');
  expect(routingKeyOf(['WAIT', '1', '100'])).toBeUndefined();
  expect(routingKeyOf(['PING'])).toBeUndefined();
});
