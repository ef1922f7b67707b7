import { ApiError, bodyTooLarge } from '../errors.ts';
import { reservationOf } from './body-budget.ts';
import { declaredLength } from './body-framing.ts';

/**
 * Reads a request body as bytes, at most `limitBytes` of them, without ever holding more than the
 * limit (plus the chunk that crossed it):
 * - a `Content-Length` over the limit is refused (413) before a byte of the body is read;
 * - a body without one (chunked) is refused as soon as the bytes read pass the limit.
 *
 * The bytes are charged to the request's share of `MAX_INFLIGHT_BODY_BYTES` (body-budget.ts), when
 * it has one: a declared length all at once before reading, a chunked body chunk by chunk as it
 * arrives. A body that does not fit is refused with 503 `overloaded`.
 *
 * A refusal leaves the rest of the body unread; the server layer then reads and discards it, within
 * `LINGER_TIMEOUT_MS` and `LINGER_MAX_BYTES`, so that the client gets to read the answer (see
 * node/linger.ts for Node, bun/drain.ts for Bun). So the refusal does not ask to close the connection:
 * once the rest is discarded, it can serve the next request.
 */
export async function readBodyBytes(request: Request, limitBytes: number): Promise<Uint8Array> {
  const declared = declaredLength(request.headers);
  if (declared !== undefined && declared > limitBytes) throw bodyTooLarge(limitBytes);
  const reservation = reservationOf(request);
  if (declared !== undefined) {
    reservation?.take(declared);
    // With Content-Length framing the body cannot be longer than declared, so the adapter's direct
    // read is safe, and much cheaper on Node than a web stream for the usual small body
    // (@hono/node-server reads the IncomingMessage itself; `request.body` would build a
    // ReadableStream per request). But it holds the body three times over (its chunks, their
    // concatenation, which it keeps, and the copy it returns), so a big one is streamed into one
    // buffer of the declared size instead.
    return declared > DIRECT_READ_MAX_BYTES ? readIntoBuffer(request, declared) : readDeclared(request);
  }
  const body = request.body;
  if (body === null) return new Uint8Array(0);

  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await nextChunk(reader); chunk !== undefined; chunk = await nextChunk(reader)) {
    size += chunk.byteLength;
    try {
      // Stop reading here: the rest is left to the server layer to discard.
      if (size > limitBytes) throw bodyTooLarge(limitBytes);
      reservation?.take(chunk.byteLength);
    } catch (error) {
      reader.releaseLock();
      throw error;
    }
    chunks.push(chunk);
  }
  return concat(chunks, size);
}

/** The next chunk of a body, or undefined at its end. */
async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array | undefined> {
  try {
    const chunk = await reader.read();
    return chunk.done ? undefined : chunk.value;
  } catch {
    // The client went away, or the server cut a stalled upload; nobody reads this answer.
    throw bodyIncomplete();
  }
}

/** Declared bodies up to this size are read by the adapter in one go (see `readBodyBytes`). */
const DIRECT_READ_MAX_BYTES = 1024 * 1024;

/** A body of declared length, streamed into one buffer of that length. */
async function readIntoBuffer(request: Request, declared: number): Promise<Uint8Array> {
  const out = new Uint8Array(declared);
  const body = request.body;
  if (body === null) {
    if (declared === 0) return out;
    throw bodyIncomplete();
  }
  const reader = body.getReader();
  let offset = 0;
  for (let chunk = await nextChunk(reader); chunk !== undefined; chunk = await nextChunk(reader)) {
    // The framing forbids more than declared; be safe anyway.
    if (offset + chunk.byteLength > declared) throw bodyIncomplete();
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (offset !== declared) throw bodyIncomplete();
  return out;
}

async function readDeclared(request: Request): Promise<Uint8Array> {
  try {
    return new Uint8Array(await request.arrayBuffer());
  } catch {
    // The client went away, or the server cut a stalled upload; nobody reads this answer.
    throw bodyIncomplete();
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function bodyIncomplete(): ApiError {
  return new ApiError(400, 'bad_request', { detail: 'The request body ended before it was complete' }, { connection: 'close' });
}
