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
