import { describe, expect, it } from 'vitest';
import { type DedupEvent, parseJson } from '@ddup/hashing';
import { keyFieldsHash } from './key-fields.ts';

function event(text: string): DedupEvent {
  return parseJson(text) as unknown as DedupEvent;
}

const FIELDS = ['user_id', 'event_type', 'payload.order_id'];

describe('keyFieldsHash', () => {
  it('ignores everything outside the key fields and sees every change inside them', () => {
    const a = event('{"user_id":"u","event_type":"buy","timestamp":"t1","payload":{"order_id":7,"note":"x"}}');
    const laterRetry = event('{"user_id":"u","event_type":"buy","timestamp":"t2","payload":{"note":"y","order_id":7}}');
    const otherOrder = event('{"user_id":"u","event_type":"buy","timestamp":"t1","payload":{"order_id":8,"note":"x"}}');
    expect(keyFieldsHash(a, FIELDS, 'python')).toBe(keyFieldsHash(laterRetry, FIELDS, 'python'));
    expect(keyFieldsHash(a, FIELDS, 'python')).not.toBe(keyFieldsHash(otherOrder, FIELDS, 'python'));
  });

  it('treats a missing field as absent, consistently, and apart from null', () => {
    const missing = event('{"user_id":"u","event_type":"buy","timestamp":"t","payload":{}}');
    const alsoMissing = event('{"user_id":"u","event_type":"buy","timestamp":"other","payload":{"x":1}}');
    const nulled = event('{"user_id":"u","event_type":"buy","timestamp":"t","payload":{"order_id":null}}');
    expect(keyFieldsHash(missing, FIELDS, 'jcs')).toBe(keyFieldsHash(alsoMissing, FIELDS, 'jcs'));
    expect(keyFieldsHash(missing, FIELDS, 'jcs')).not.toBe(keyFieldsHash(nulled, FIELDS, 'jcs'));
  });

  it('is the hash of the canonical text of just those fields, nested as in the event', async () => {
    const { createHash } = await import('node:crypto');
    const e = event('{"user_id":"u","event_type":"buy","timestamp":"t","payload":{"order_id":7}}');
    const expected = createHash('sha256').update('{"event_type":"buy","payload":{"order_id":7},"user_id":"u"}').digest('hex');
    expect(keyFieldsHash(e, FIELDS, 'jcs')).toBe(expected);
  });
});
