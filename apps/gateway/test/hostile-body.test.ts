/**
 * Hostile bodies through the app itself (app.request): the answers' exact shapes, and property-style
 * loops over random bytes, truncations and mutations. The same cases over a real socket, with the
 * limits that only a listening server has (timeouts, connection close), are in hostile-input.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@ddup/runtime';
import { useTestRedis } from '@ddup/test-utils';
import { API_PREFIX } from '../src/app.ts';
import type { Gateway } from '../src/gateway.ts';
import { startTestGateway, stopTestGateway } from './test-gateway.ts';
import { firstInvalidUtf8Offset } from '../src/http/utf8-body.ts';
import { MiB, bytesOf, deepEventText, invalidUtf8Bodies, manyKeysEventText, prng, randomBytes, richEventText } from './hostile-cases.ts';

const EVENTS = `http://localhost${API_PREFIX}/events`;
const LIMIT = MiB;
const BOM = [0xef, 0xbb, 0xbf];

const test = useTestRedis();
let gateway: Gateway;
const loggedErrors: string[] = [];

const recordingLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message, fields) => loggedErrors.push(`${message} ${JSON.stringify(fields ?? {})}`),
  child: () => recordingLogger,
};

type Body = string | Uint8Array | ReadableStream<Uint8Array>;

async function post(body: Body, headers: Record<string, string> = {}) {
  const init = { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, duplex: 'half' };
  const response = await gateway.app.request(EVENTS, init as RequestInit);
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as Record<string, unknown> };
}

interface Problem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: { error?: string };
}

/** A 422 in the FastAPI shape; returns its problems. */
function expectValidationError(answer: { status: number; json: Record<string, unknown> }): Problem[] {
  expect(answer.status).toBe(422);
  expect(answer.json.code).toBe('validation_failed');
  const detail = answer.json.detail as Problem[];
  expect(Array.isArray(detail) && detail.length > 0).toBe(true);
  for (const problem of detail) {
    expect(typeof problem.type).toBe('string');
    expect(problem.loc[0]).toBe('body');
    expect(typeof problem.msg).toBe('string');
    expect('input' in problem).toBe(true);
  }
  return detail;
}

/** Anything but a clean 202/409/422 (a 500, a 413 under the limit...) fails, with the case named. */
function expectHandled(answer: { status: number; json: Record<string, unknown> }, what: string): void {
  expect([202, 409, 422], `${what}: ${JSON.stringify(answer.json).slice(0, 300)}`).toContain(answer.status);
  if (answer.status === 422) expectValidationError(answer);
}

/** A body produced lazily, 64 KiB at a time, counting how much of it was ever pulled. */
function endlessBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

beforeAll(async () => {
  gateway = await startTestGateway({ REDIS_URL: test.redis.url, BODY_LIMIT_BYTES: String(LIMIT) }, recordingLogger);
});

afterAll(async () => {
  expect(loggedErrors).toEqual([]);
  await stopTestGateway(gateway);
});

describe('bytes that are not UTF-8', () => {
  it.each(invalidUtf8Bodies())('$name → 422 json_invalid at its byte offset', async ({ bytes, offset }) => {
    const [problem] = expectValidationError(await post(bytes));
    expect(problem).toEqual({
      type: 'json_invalid',
      loc: ['body', offset],
      msg: 'JSON decode error',
      input: {},
      ctx: { error: 'Invalid UTF-8' },
    });
  });

  it('are never read as U+FFFD, so they cannot hash like a body that really has U+FFFD', async () => {
    const replacement = await post('{"user_id":"\ufffd","event_type":"fffd","timestamp":"t","payload":{}}');
    expect(replacement.status).toBe(202);
    const invalid = new Uint8Array([...bytesOf('{"user_id":"'), 0xff, ...bytesOf('","event_type":"fffd","timestamp":"t","payload":{}}')]);
    // c.req.text() decoded 0xff as U+FFFD: this was a 409 (same hash) before.
    expectValidationError(await post(invalid));
  });

  it('firstInvalidUtf8Offset agrees with the fatal TextDecoder on random bytes', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const random = prng(42);
    for (let round = 0; round < 2_000; round++) {
      // Mostly ASCII and well-formed sequences with some junk, so both outcomes are common.
      const text = randomBytes(random, Math.floor(random() * 40));
      const bytes = new Uint8Array([...bytesOf('a\u00e9\u4e2d\u{1f600}'), ...text.map((b) => (random() < 0.7 ? b & 0x7f : b))]);
      const offset = firstInvalidUtf8Offset(bytes);
      let valid = true;
      try {
        decoder.decode(bytes);
      } catch {
        valid = false;
      }
      expect(offset === undefined, `round ${round}: ${Buffer.from(bytes).toString('hex')}`).toBe(valid);
      if (offset !== undefined) expect(() => decoder.decode(bytes.subarray(0, offset))).not.toThrow();
    }
  });
});

describe('a UTF-8 byte order mark', () => {
  it('is dropped, as Python json.loads(bytes) dropped it: same event, same hash', async () => {
    const text = '{"user_id":"bom","event_type":"e","timestamp":"t","payload":{"x":1}}';
    const withBom = await post(new Uint8Array([...BOM, ...bytesOf(text)]));
    expect(withBom.status).toBe(202);
    const without = await post(text);
    expect(without.status).toBe(409);
    expect(without.json.hash).toBe(withBom.json.hash);
  });

  it('twice → 422, the second one as Python words it', async () => {
    const text = '{"user_id":"bom2","event_type":"e","timestamp":"t","payload":{}}';
    const [problem] = expectValidationError(await post(new Uint8Array([...BOM, ...BOM, ...bytesOf(text)])));
    expect(problem).toMatchObject({
      type: 'json_invalid',
      loc: ['body', 0],
      ctx: { error: 'Unexpected UTF-8 BOM (decode using utf-8-sig)' },
    });
  });
});

describe('the body limit', () => {
  it('a declared Content-Length over the limit → 413 at once, without pulling the body', async () => {
    const body = endlessBody(50 * MiB);
    const answer = await post(body.stream, { 'content-length': String(50 * MiB) });
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({
      detail: `Request body is larger than the limit of ${LIMIT} bytes`,
      limit_bytes: LIMIT,
      code: 'body_too_large',
    });
    // The rest is the server layer's to discard (linger.ts, bun-drain.ts): no `Connection: close`.
    expect(answer.headers.get('connection')).toBeNull();
    expect(body.pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it('a 50 MB body of unknown length → 413 once the limit is passed, having pulled little more than the limit', async () => {
    const body = endlessBody(50 * MiB);
    const answer = await post(body.stream);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ limit_bytes: LIMIT, code: 'body_too_large' });
    expect(answer.headers.get('connection')).toBeNull();
    expect(body.pulled()).toBeLessThanOrEqual(LIMIT + 2 * 64 * 1024);
  });

  it('exactly the limit is accepted; one byte more is not', async () => {
    const text = '{"user_id":"limit","event_type":"e","timestamp":"t","payload":{}}';
    const padded = (size: number) => bytesOf(text + ' '.repeat(size - text.length));
    expect((await post(padded(LIMIT))).status).toBe(202);
    expect((await post(padded(LIMIT + 1))).status).toBe(413);
  });
});

describe('truncated, random and mutated bodies never get a 500', () => {
  const valid = bytesOf(richEventText('prefix'));

  it('every prefix of a valid event → 422, and the whole of it → 202', async () => {
    for (let end = 0; end < valid.length; end++) {
      const answer = await post(valid.subarray(0, end));
      expect(answer.status, `prefix of ${end} bytes`).toBe(422);
      expectValidationError(answer);
    }
    expect((await post(valid)).status).toBe(202);
  });

  it('200 random byte strings → 422 (or, by chance, a valid event)', async () => {
    const random = prng(7);
    for (let round = 0; round < 200; round++) {
      const bytes = randomBytes(random, Math.floor(random() * 400));
      expectHandled(await post(bytes), `random bytes, round ${round}`);
    }
  });

  it('200 random JSON-ish token soups → 422 (or a valid event)', async () => {
    const tokens = [
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      '"user_id"',
      '"payload"',
      '"a"',
      '1',
      '-',
      '1.5e3',
      'true',
      'nul',
      '"\\u12',
      '"\\ud800"',
      '"',
      ' ',
      '\u00e9',
      '\\',
    ];
    const random = prng(11);
    for (let round = 0; round < 200; round++) {
      let text = '';
      const count = Math.floor(random() * 30);
      for (let i = 0; i < count; i++) text += tokens[Math.floor(random() * tokens.length)] ?? '';
      expectHandled(await post(text), `token soup ${JSON.stringify(text)}`);
    }
  });

  it('300 one-byte mutations of a valid event → 202, 409 or 422', async () => {
    const random = prng(23);
    for (let round = 0; round < 300; round++) {
      const at = Math.floor(random() * valid.length);
      const byte = Math.floor(random() * 256);
      const kind = Math.floor(random() * 3);
      const mutated =
        kind === 0
          ? new Uint8Array([...valid.subarray(0, at), byte, ...valid.subarray(at + 1)])
          : kind === 1
            ? new Uint8Array([...valid.subarray(0, at), ...valid.subarray(at + 1)])
            : new Uint8Array([...valid.subarray(0, at), byte, ...valid.subarray(at)]);
      expectHandled(await post(mutated), `mutation ${kind} of byte ${at} to ${byte}`);
    }
  });
});

describe('depth and breadth', () => {
  it('nesting 100,000 deep → 422 json_invalid, fast', async () => {
    for (const text of [deepEventText(100_000), `{"payload":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`]) {
      const started = performance.now();
      const [problem] = expectValidationError(await post(text));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(problem).toMatchObject({ type: 'json_invalid', msg: 'JSON decode error' });
      expect(problem?.ctx?.error).toMatch(/nested deeper than 64 levels/);
    }
  });

  it('where it differs from Python (docs/api.md): 64 levels are taken and 65 refused; Infinity and NaN are 422', async () => {
    // The event object and its payload are two levels: 62 arrays inside make 64.
    expect((await post(deepEventText(62))).status).toBe(202);
    const [tooDeep] = expectValidationError(await post(deepEventText(63)));
    expect(tooDeep?.ctx?.error).toMatch(/nested deeper than 64 levels/);
    for (const literal of ['Infinity', '-Infinity', 'NaN']) {
      const [problem] = expectValidationError(await post(`{"user_id":"u","event_type":"e","timestamp":"t","payload":{"x":${literal}}}`));
      expect(problem).toMatchObject({ type: 'json_invalid' });
    }
  });

  it('100,000 keys in payload → 202, and the same keys in another order → 409', async () => {
    const text = manyKeysEventText(100_000, 'breadth');
    expect(text.length).toBeLessThan(LIMIT);
    const first = await post(text);
    expect(first.status).toBe(202);
    expect(Object.keys((first.json.event as { payload: object }).payload)).toHaveLength(100_000);
    const reordered = text.replace(/\{"user_id".*"payload":\{(.*)\}\}$/, (_, members: string) => {
      return `{"payload":{${members.split(',').reverse().join(',')}},"timestamp":"t","event_type":"e","user_id":"u-breadth"}`;
    });
    const second = await post(reordered);
    expect(second.status).toBe(409);
    expect(second.json.hash).toBe(first.json.hash);
  });

  it('100,000 copies of one key → 202 with the last value; 100,000 unknown top-level keys are ignored', async () => {
    const duplicates = Array.from({ length: 100_000 }, (_, i) => `"k":${i}`).join(',');
    const answer = await post(`{"user_id":"dups","event_type":"e","timestamp":"t","payload":{${duplicates}}}`);
    expect(answer.status).toBe(202);
    expect((answer.json.event as { payload: unknown }).payload).toEqual({ k: 99_999 });

    const unknown = Array.from({ length: 100_000 }, (_, i) => `"${i.toString(36)}":0`).join(',');
    const topLevel = await post(`{${unknown},"user_id":"wide","event_type":"e","timestamp":"t","payload":{}}`);
    expect(topLevel.status).toBe(202);
    expect(Object.keys(topLevel.json.event as object)).toEqual(['user_id', 'event_type', 'timestamp', 'payload']);
  });

  it('a missing field echoes a small body as its input, as pydantic does', async () => {
    const [problem] = expectValidationError(await post('{"event_type":"e","timestamp":"t","payload":{"a":1}}'));
    expect(problem).toEqual({
      type: 'missing',
      loc: ['body', 'user_id'],
      msg: 'Field required',
      input: { event_type: 'e', timestamp: 't', payload: { a: 1 } },
    });
  });

  it('100,000 keys and none of the four fields → four `missing`, without four copies of the body', async () => {
    const members = Array.from({ length: 100_000 }, (_, i) => `"${i.toString(36)}":0`).join(',');
    const response = await gateway.app.request(EVENTS, { method: 'POST', body: `{${members}}` });
    const text = await response.text();
    expect(response.status).toBe(422);
    expect(text.length).toBeLessThan(1_000);
    const detail = (JSON.parse(text) as { detail: Problem[] }).detail;
    expect(detail.map((problem) => [problem.type, problem.loc, problem.input])).toEqual(
      ['user_id', 'event_type', 'timestamp', 'payload'].map((field) => ['missing', ['body', field], {}]),
    );
  });
});
