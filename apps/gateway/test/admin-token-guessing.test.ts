/**
 * Guessing the admin token (issue 19, item 7), against the gateway as its own process over real
 * HTTP: a weak token stops start-up (exit 2, saying why, never the value); wrong tokens from one
 * address are answered 429 with Retry-After after a few, the right one included, and are logged,
 * rate-limited.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startGatewayProcess, startService, useTestRedis } from '@ddup/test-utils';
import { MAX_FAILURES_PER_WINDOW } from '../src/routes/admin/failure-throttle.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TOKEN = 'guessing-test-token-0123456789abcdef';
const GUESSES = 200;
const test = useTestRedis();
const started: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((service) => service.stop('SIGKILL')));
});

describe('a weak DDUP_ADMIN_TOKEN stops start-up', () => {
  it.each([
    { token: 'aaaaaaaaaaaaaaaa', why: /only 1 different characters/ },
    { token: 'abababababababababababab', why: /only 2 different characters/ },
    { token: 'abcdefgh', why: /at least 16 characters/ },
  ])('$token: exit 2 naming the variable and why', async ({ token, why }) => {
    const service = startService(MAIN, { REDIS_URL: test.redis.url, PORT: '0', HOST: '127.0.0.1', DDUP_ADMIN_TOKEN: token });
    started.push(service);
    expect(await service.exited).toBe(2);
    expect(service.output()).toMatch(/DDUP_ADMIN_TOKEN/);
    expect(service.output()).toMatch(why);
    expect(service.output()).not.toContain(token);
  });
});

describe('wrong admin tokens from one address', () => {
  it(`are answered 429 with Retry-After after ${MAX_FAILURES_PER_WINDOW} within a minute, and logged rate-limited`, async () => {
    const gateway = await startGatewayProcess({ REDIS_URL: test.redis.url, DDUP_ADMIN_TOKEN: TOKEN });
    started.push(gateway.service);
    const base = `http://127.0.0.1:${gateway.port}`;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    let body: unknown;
    const startedAt = performance.now();
    for (let guess = 0; guess < GUESSES; guess++) {
      const response = await fetch(`${base}/admin/dead-letters`, { headers: { authorization: `Bearer wrong-guess-${guess}-abcdefghij` } });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        body = await response.json();
      } else await response.arrayBuffer();
    }
    const elapsedMs = performance.now() - startedAt;
    const refused = statuses.filter((status) => status === 401).length;
    const throttled = statuses.filter((status) => status === 429).length;
    console.log(`${GUESSES} wrong tokens in ${elapsedMs.toFixed(0)} ms: ${refused} × 401 (compared), ${throttled} × 429 (not compared)`);
    expect(refused).toBe(MAX_FAILURES_PER_WINDOW);
    expect(throttled).toBe(GUESSES - MAX_FAILURES_PER_WINDOW);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(body).toMatchObject({ code: 'too_many_failed_tokens' });

    // The right token is not even compared from this address now: a guess that hits tells nothing.
    const right = await fetch(`${base}/admin/dead-letters`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(429);
    await right.arrayBuffer();

    const warnings = gateway.service
      .output()
      .split('\n')
      .filter((line) => line.includes('wrong or missing bearer token'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThan(MAX_FAILURES_PER_WINDOW);
    expect(warnings[0]).toContain('"client":"127.0.0.1"');
    expect(gateway.service.output()).not.toContain('wrong-guess-');
  });

  it('leave other addresses alone: the right token from ::1 still works', async () => {
    const gateway = await startGatewayProcess({ REDIS_URL: test.redis.url, DDUP_ADMIN_TOKEN: TOKEN, HOST: '::' });
    started.push(gateway.service);
    await expectThrottledPerAddress(gateway.port);
  });

  it('are counted per address under Bun too', async () => {
    const gateway = await startGatewayProcess({ REDIS_URL: test.redis.url, DDUP_ADMIN_TOKEN: TOKEN, HOST: '::' }, { runtime: 'bun' });
    started.push(gateway.service);
    await expectThrottledPerAddress(gateway.port);
  });
});

/** Wrong tokens from 127.0.0.1 until it is throttled: the right token is then refused from there and served from ::1. */
async function expectThrottledPerAddress(port: number): Promise<void> {
  for (let guess = 0; guess <= MAX_FAILURES_PER_WINDOW; guess++) {
    const response = await fetch(`http://127.0.0.1:${port}/admin/dead-letters`, { headers: { authorization: 'Bearer nope-nope-nope-nope' } });
    await response.arrayBuffer();
  }
  const blocked = await fetch(`http://127.0.0.1:${port}/admin/dead-letters`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(blocked.status).toBe(429);
  await blocked.arrayBuffer();
  const other = await fetch(`http://[::1]:${port}/admin/dead-letters`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(other.status).toBe(200);
  await other.arrayBuffer();
}
