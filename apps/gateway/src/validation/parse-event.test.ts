import { describe, expect, it } from 'vitest';
import { hashEvent } from './hash-event.ts';
import { parseEvent } from './parse-event.ts';
import { isProblems } from './problems.ts';

const EVENT = '{"user_id":"u","event_type":"e","timestamp":"t","payload":{"n":100.0},"extra":1}';

describe('parseEvent', () => {
  it('keeps the four fields, numbers as written, and drops unknown ones', () => {
    const parsed = parseEvent(EVENT);
    if (isProblems(parsed)) throw new Error('expected an event');
    expect(Object.keys(parsed.event)).toEqual(['user_id', 'event_type', 'timestamp', 'payload']);
    expect(hashEvent(parsed, 'python')).toMatchObject({ canonical: expect.stringContaining('100.0') });
  });

  it('reports a blank text as a missing body, malformed JSON at its offset, and a non-object', () => {
    expect(parseEvent('  ')).toEqual([expect.objectContaining({ type: 'missing', loc: ['body'] })]);
    expect(parseEvent('{"a":')).toEqual([expect.objectContaining({ type: 'json_invalid', loc: ['body', 5] })]);
    expect(parseEvent('[1]')).toEqual([expect.objectContaining({ type: 'model_attributes_type', loc: ['body'] })]);
  });

  it('asks once whether a missing field may echo the text, and only then', () => {
    const asked: number[] = [];
    const mayEcho = (chars: number) => {
      asked.push(chars);
      return false;
    };
    expect(parseEvent('{"payload":{}}', { mayEcho })).toEqual([
      expect.objectContaining({ type: 'missing', loc: ['body', 'user_id'], input: {} }),
      expect.objectContaining({ type: 'missing', loc: ['body', 'event_type'], input: {} }),
      expect.objectContaining({ type: 'missing', loc: ['body', 'timestamp'], input: {} }),
    ]);
    expect(asked).toEqual([14]);
    parseEvent('{"user_id":1,"event_type":"e","timestamp":"t","payload":{}}', { mayEcho });
    expect(asked).toEqual([14]);
  });

  it('hands malformed JSON to `malformed` when given', () => {
    const problems = parseEvent('', { malformed: (error) => [{ type: 'mine', loc: ['body', error.position], msg: '', input: {} }] });
    expect(problems).toEqual([{ type: 'mine', loc: ['body', 0], msg: '', input: {} }]);
  });
});

describe('hashEvent', () => {
  it('gives a value_error for a payload the JCS form cannot write', () => {
    const parsed = parseEvent('{"user_id":"u","event_type":"e","timestamp":"t","payload":{"n":1e400}}');
    if (isProblems(parsed)) throw new Error('expected an event');
    expect(hashEvent(parsed, 'jcs')).toEqual([expect.objectContaining({ type: 'value_error', loc: ['body', 'payload'] })]);
    expect(isProblems(hashEvent(parsed, 'python'))).toBe(false);
  });
});
