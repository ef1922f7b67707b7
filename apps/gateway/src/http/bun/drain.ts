import { declaredLength, hasBody } from '../body-framing.ts';
import type { LingerSettings } from '../linger-settings.ts';

type Fetch = (request: Request) => Response | Promise<Response>;

/** What became of the rest of a body: read to its end, or given up on (too long, too slow, gone). */
type Discarded = 'ended' | 'cut';

/**
 * Bun's side of the lingering close that node/linger.ts does on Node, done the only way Bun allows:
 * before the answer rather than after it. Measured on Bun 1.4: once a response is handed to Bun
 * while the body is still unread, Bun closes the connection (a reader still pulling the body gets
 * "The connection was closed"), and at once if the client sent `Connection: close` (Python's
 * urllib does), so a client still sending sees EPIPE instead of the 413.
 *
 * So when the app answers without having read the whole body (it refused it: 413, 503
 * `overloaded`; or never looked at it: 404, 417), the rest is read here and dropped chunk by chunk,
 * never kept, and only then is the answer handed to Bun: a client that sends its whole body before
 * reading (urllib, http.client, fetch) then reads it. A body still coming after
 * `LINGER_MAX_BYTES` or `LINGER_TIMEOUT_MS` is given up on, and the answer goes out with
 * `Connection: close`: Bun closes the connection after it, and a client still sending is cut; so
 * is a body whose `Content-Length` alone is past `LINGER_MAX_BYTES`, at once. Unlike Node, the
 * client does not see the answer while it is still sending.
 */
export function withBodyDrainedBeforeAnswer(fetch: Fetch, settings: LingerSettings): Fetch {
  return (request) => {
    const answer = fetch(request);
    if (answer instanceof Response) return mayBeUnread(request, answer) ? drainThenAnswer(request, answer, settings) : answer;
    return answer.then((response) => (mayBeUnread(request, response) ? drainThenAnswer(request, response, settings) : response));
  };
}

/**
 * Whether part of the body may still be unread, from cheap checks (touching `request.body` makes
 * Bun build a stream): a body the app never touched, or one it stopped reading to refuse it. A
 * body the app read to its end is locked (read-body.ts reads it whole, or releases its reader when
 * it refuses), which `drainThenAnswer` finds out.
 */
function mayBeUnread(request: Request, response: Response): boolean {
  if (!hasBody(request.headers)) return false;
  return !request.bodyUsed || response.status === 413 || response.status === 503;
}

async function drainThenAnswer(request: Request, response: Response, settings: LingerSettings): Promise<Response> {
  // A declared body past LINGER_MAX_BYTES would be cut anyway: answer at once, and close.
  if ((declaredLength(request.headers) ?? 0) > settings.maxBytes) return closingAfter(response);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    reader = request.body?.getReader();
  } catch {
    return response; // locked: read to its end by the app
  }
  if (reader === undefined) return response;
  const outcome = await discardRest(reader, settings);
  return outcome === 'ended' ? response : closingAfter(response);
}

/** Reads and drops what is left, within the settings' time and bytes. */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, settings: LingerSettings): Promise<Discarded> {
  if (settings.timeoutMs <= 0 || settings.maxBytes <= 0) return giveUp(reader);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), settings.timeoutMs);
  });
  let discarded = 0;
  try {
    for (;;) {
      const chunk = await Promise.race([reader.read(), late]);
      if (chunk === 'late') return giveUp(reader);
      if (chunk.done) return 'ended';
      discarded += chunk.value.byteLength;
      if (discarded > settings.maxBytes) return giveUp(reader);
    }
  } catch {
    return 'cut'; // the client went away
  } finally {
    clearTimeout(timer);
  }
}

function giveUp(reader: ReadableStreamDefaultReader<Uint8Array>): Discarded {
  reader.cancel().catch(() => undefined);
  return 'cut';
}

function closingAfter(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('connection', 'close');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
