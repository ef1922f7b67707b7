import { describe, expect, it } from 'vitest';
import { deadlineSweepMs, withRequestDeadline } from './deadline.ts';
import { type BunServer, bunIdleTimeoutSeconds, stopGracefully } from './server.ts';

// The runtime-independent parts of the Bun entry point, under Node; bun-runtime.test.ts runs the
// real thing under Bun.

// Bun's requests carry the framing headers as received; a Request built here has to be given them.
const post = () => new Request('http://127.0.0.1/x', { method: 'POST', body: '{}', headers: { 'content-length': '2' } });
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('bunIdleTimeoutSeconds', () => {
  it('outlasts both the body timeout and the longest Redis wait, within Bun’s 255 s', () => {
    expect(bunIdleTimeoutSeconds({ bodyTimeoutMs: 10_000, longestHandlerMs: 1_000 })).toBe(11);
    expect(bunIdleTimeoutSeconds({ bodyTimeoutMs: 1_500, longestHandlerMs: 6_000 })).toBe(7);
    expect(bunIdleTimeoutSeconds({ bodyTimeoutMs: 600_000, longestHandlerMs: 1_000 })).toBe(255);
  });

  it('is off when BODY_TIMEOUT_MS is 0 (no limit)', () => {
    expect(bunIdleTimeoutSeconds({ bodyTimeoutMs: 0, longestHandlerMs: 1_000 })).toBe(0);
  });
});

describe('withRequestDeadline', () => {
  it('passes answers given in time through, and requests without a body untouched', async () => {
    const fetch = withRequestDeadline(async () => Response.json({ ok: true }, { status: 202 }), 200);
    expect((await fetch(post())).status).toBe(202);
    const slow = withRequestDeadline(async () => {
      await delay(150);
      return new Response('late but fine');
    }, 50);
    expect(await (await slow(new Request('http://127.0.0.1/x'))).text()).toBe('late but fine');
    const empty = new Request('http://127.0.0.1/x', { method: 'POST', headers: { 'content-length': '0' } });
    expect(await (await slow(empty)).text()).toBe('late but fine');
  });

  it('answers JSON 408 with Connection: close once the deadline has passed, chunked bodies too', async () => {
    const timeoutMs = 100;
    const fetch = withRequestDeadline(() => new Promise<Response>(() => undefined), timeoutMs);
    const started = Date.now();
    const response = await fetch(post());
    const elapsed = Date.now() - started;
    expect(response.status).toBe(408);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toMatchObject({ code: 'request_timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 5);
    expect(elapsed).toBeLessThan(timeoutMs + deadlineSweepMs(timeoutMs) + 100);
    const chunked = new Request('http://127.0.0.1/x', { method: 'POST', body: '{}', headers: { 'transfer-encoding': 'chunked' } });
    expect((await fetch(chunked)).status).toBe(408);
  });

  it('times out only the late ones among many, and passes errors on', async () => {
    let n = 0;
    const fetch = withRequestDeadline(async () => {
      const i = n++;
      if (i === 3) throw new Error('boom');
      await delay(i % 2 === 0 ? 10 : 400);
      return new Response(String(i));
    }, 150);
    const answers = await Promise.allSettled(Array.from({ length: 6 }, () => fetch(post())));
    const statuses = answers.map((answer) => (answer.status === 'fulfilled' ? answer.value.status : 'error'));
    expect(statuses).toEqual([200, 408, 200, 'error', 200, 408]);
  });
});

describe('stopGracefully', () => {
  function fakeServer(gracefulMs: number) {
    const calls: boolean[] = [];
    const server: BunServer = {
      port: 1,
      hostname: '127.0.0.1',
      stop(closeActiveConnections = false) {
        calls.push(closeActiveConnections);
        return closeActiveConnections ? Promise.resolve() : delay(gracefulMs);
      },
    };
    return { server, calls };
  }

  it('waits for in-flight requests when they finish in time', async () => {
    const { server, calls } = fakeServer(20);
    await stopGracefully(server, 1_000);
    expect(calls).toEqual([false]);
  });

  it('cuts the connections still open after the timeout', async () => {
    const { server, calls } = fakeServer(5_000);
    const started = Date.now();
    await stopGracefully(server, 50);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toEqual([false, true]);
  });
});
