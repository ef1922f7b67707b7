import { expect, it } from 'vitest';
import { routingKeyOf } from './routing-key.ts';

it('finds the first key of every command shape ddup sends to a cluster', () => {
  expect(routingKeyOf(['EVALSHA', 'abc', '2', 'app:{s01}:ix:5', 'app:{s01}:events', '60'])).toBe('app:{s01}:ix:5');
  expect(routingKeyOf(['EVAL', 'return 1', '0'])).toBeUndefined();
  expect(routingKeyOf(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '10', 'BLOCK', '5', 'STREAMS', 'app:{s03}:events', '>'])).toBe('app:{s03}:events');
  expect(routingKeyOf(['XINFO', 'GROUPS', 'app:{s02}:events'])).toBe('app:{s02}:events');
  expect(routingKeyOf(['XGROUP', 'CREATE', 'app:{s02}:events', 'g', '0', 'MKSTREAM'])).toBe('app:{s02}:events');
  expect(routingKeyOf(['XACK', 'app:{s04}:events', 'g', '1-0'])).toBe('app:{s04}:events');
  expect(routingKeyOf(['set', 'app:meta:shards', '16', 'NX', 'GET'])).toBe('app:meta:shards');
  expect(routingKeyOf(['WAIT', '1', '100'])).toBeUndefined();
  expect(routingKeyOf(['PING'])).toBeUndefined();
});
