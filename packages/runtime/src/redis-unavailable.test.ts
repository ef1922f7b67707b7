import { ClientOfflineError, DisconnectsClientError, ErrorReply, SocketClosedUnexpectedlyError } from '@redis/client';
import { expect, it } from 'vitest';
import { CommandTimeoutError } from './command-timeout.ts';
import { RedisUnavailableError, isRedisUnavailable, unavailableReasonOf } from './redis-unavailable.ts';

/** As the packages above declare theirs (the preflight's, the gateway's replication checks). */
class ReplicaMissingError extends RedisUnavailableError {}
class HeldError extends RedisUnavailableError {
  override get reason(): string {
    return 'held';
  }
}

it('takes Redis being away, busy or in a cluster transition as unavailable (503)', () => {
  const unavailable: unknown[] = [
    new ClientOfflineError(),
    new SocketClosedUnexpectedlyError(),
    new DisconnectsClientError(),
    new Error('connect ECONNREFUSED 127.0.0.1:6379'),
    new Error('Cannot find node 127.0.0.1:7000'),
    new Error('The queue is full'),
    new CommandTimeoutError('EVALSHA', 1000),
    new ReplicaMissingError('only 0 of 1 replicas acknowledged'),
    new HeldError('held'),
    new ErrorReply('LOADING Redis is loading the dataset in memory'),
    new ErrorReply('CLUSTERDOWN The cluster is down'),
    new ErrorReply('MOVED 3999 127.0.0.1:7001'),
    new ErrorReply('ASK 3999 127.0.0.1:7001'),
    new ErrorReply('TRYAGAIN Multiple keys request during rehashing of slot'),
    new ErrorReply('ERR WAIT cannot be used with replica instances.'),
  ];
  for (const error of unavailable) expect(isRedisUnavailable(error), String(error)).toBe(true);
});

it('takes a wrong command or a bug as an error of ours (500)', () => {
  const ours: unknown[] = [
    new ErrorReply('ERR wrong number of arguments'),
    new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value'),
    new ErrorReply('NOSCRIPT No matching script'),
    new TypeError('x is undefined'),
    'a string',
  ];
  for (const error of ours) expect(isRedisUnavailable(error), String(error)).toBe(false);
});

it('gives the 503 the reason an error declares, else its text', () => {
  expect(unavailableReasonOf(new ErrorReply("OOM command not allowed when used memory > 'maxmemory'."))).toBe('out_of_memory');
  expect(unavailableReasonOf(new HeldError('writes are held'))).toBe('held');
  expect(unavailableReasonOf(new ReplicaMissingError('only 0 of 1 replicas acknowledged'))).toBe('only 0 of 1 replicas acknowledged');
});
