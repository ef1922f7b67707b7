import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CANONICAL_FORMS, canonicalize } from './canonical-form.ts';
import { NonFiniteNumberError } from './errors.ts';
import { eventHash, type DedupEvent } from './event-hash.ts';
import { isJsonObject } from './json-value.ts';
import { parseJson } from './parse-json.ts';

function payloadOf(text: string) {
  const payload = parseJson(text);
  if (!isJsonObject(payload)) throw new Error('payload must be an object');
  return payload;
}

const event: DedupEvent = {
  user_id: 'user_12345',
  event_type: 'purchase',
  timestamp: '2024-03-15T14:30:00Z',
  payload: payloadOf('{"product_id": "prod_678", "amount": 99.99, "currency": "USD"}'),
};

describe('eventHash', () => {
  it('python: the canonical text Python hashed, and its sha256', () => {
    const { canonical, hash } = eventHash(event, 'python');
    expect(canonical).toBe(
      '{"event_type": "purchase", "payload": {"amount": 99.99, "currency": "USD", "product_id": "prod_678"}, ' +
        '"timestamp": "2024-03-15T14:30:00Z", "user_id": "user_12345"}',
    );
    expect(hash).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('jcs: RFC 8785 text, hashed as UTF-8', () => {
    const withUnicode = { ...event, user_id: 'usér' };
    const { canonical, hash } = eventHash(withUnicode, 'jcs');
    expect(canonical).toBe(
      '{"event_type":"purchase","payload":{"amount":99.99,"currency":"USD","product_id":"prod_678"},' + '"timestamp":"2024-03-15T14:30:00Z","user_id":"usér"}',
    );
    expect(hash).toBe(createHash('sha256').update(Buffer.from(canonical, 'utf8')).digest('hex'));
  });

  it('hashes exactly the four fields, ignoring anything else on the object', () => {
    const extra = { ...event, id: 7, status: 'new' };
    for (const form of CANONICAL_FORMS) expect(eventHash(extra, form)).toEqual(eventHash(event, form));
  });

  it('differs between forms and between events', () => {
    expect(eventHash(event, 'python').hash).not.toBe(eventHash(event, 'jcs').hash);
    expect(eventHash({ ...event, timestamp: '2024-03-15T14:30:01Z' }, 'python').hash).not.toBe(eventHash(event, 'python').hash);
  });

  it('python keeps 100 and 100.0 apart; jcs does not', () => {
    const a = { ...event, payload: payloadOf('{"amount": 100}') };
    const b = { ...event, payload: payloadOf('{"amount": 100.0}') };
    expect(eventHash(a, 'python').hash).not.toBe(eventHash(b, 'python').hash);
    expect(eventHash(a, 'jcs').hash).toBe(eventHash(b, 'jcs').hash);
  });

  it('jcs refuses a number that overflows a double; python prints Infinity', () => {
    const huge = { ...event, payload: payloadOf('{"amount": 1e400}') };
    expect(() => eventHash(huge, 'jcs')).toThrow(NonFiniteNumberError);
    expect(eventHash(huge, 'python').canonical).toContain('"amount": Infinity');
  });
});

describe('CANONICAL_FORMS', () => {
  it('lists python first (the default) and jcs', () => {
    expect(CANONICAL_FORMS).toEqual(['python', 'jcs']);
    expect(canonicalize(payloadOf('{"b": 1.0, "a": 2}'), 'python')).toBe('{"a": 2, "b": 1.0}');
    expect(canonicalize(payloadOf('{"b": 1.0, "a": 2}'), 'jcs')).toBe('{"a":2,"b":1}');
  });
});
