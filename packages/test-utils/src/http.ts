/** A POST of a JSON text, answered with its status, headers and parsed JSON body. */
export async function postJson(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls `check` until it returns true, or throws after `timeoutMs` with `what` in the message. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** Polls GET `<baseUrl>/readyz` until it answers 200; a time-out's error ends with `context()` (the processes' output, say). */
export async function waitUntilReady(baseUrl: string, timeoutMs: number, context: () => string = () => ''): Promise<void> {
  await eventually(
    'the gateway answers GET /readyz with 200',
    async () => {
      const response = await fetch(`${baseUrl}/readyz`).catch(() => undefined);
      await response?.arrayBuffer();
      return response?.status === 200;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${context()}`);
  });
}

/** Fields for a valid event whose hash differs by `n`. */
export function sampleEvent(n: number | string, overrides: Record<string, unknown> = {}) {
  return {
    user_id: `user-${n}`,
    event_type: 'view',
    timestamp: '2026-01-01T00:00:00Z',
    payload: { item: n, price: 9.5 },
    ...overrides,
  };
}
