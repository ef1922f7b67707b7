/**
 * The gateway on Bun: the same Hono app, served by `Bun.serve`. This file is also type-checked
 * (and its pure parts tested) under Node, so it declares the little of Bun's API it uses instead
 * of pulling `@types/bun` into the Node type check, and it reads `Bun` from `globalThis` only when
 * asked to serve.
 */

import { stopWithin } from '../graceful-stop.ts';

/** What `Bun.serve` is given here (a subset of Bun's `ServeOptions`). */
export interface BunServeOptions {
  readonly port: number;
  /** Unset: every interface, IPv4 and IPv6 (Bun listens on `*`). */
  readonly hostname?: string;
  readonly fetch: (request: Request) => Response | Promise<Response>;
  /** Bun answers a bare 413 (no body) itself past this many bytes. */
  readonly maxRequestBodySize: number;
  /** Seconds; 0 disables. See `bunIdleTimeoutSeconds`. */
  readonly idleTimeout: number;
  /** SO_REUSEPORT: several processes listen on the same port and the kernel spreads connections over them. */
  readonly reusePort?: boolean;
}

/** The part of Bun's `Server` used here. */
export interface BunServer {
  readonly port: number;
  readonly hostname: string;
  /**
   * Stops listening. Without `true`: idle keep-alive connections close at once, busy ones after
   * their current response, and the promise resolves once every connection is closed. With `true`:
   * in-flight requests are cut.
   */
  stop(closeActiveConnections?: boolean): Promise<void>;
  /** The peer of `request` (one this server is serving). */
  requestIP?(request: Request): { readonly address: string } | null;
}

export interface BunRuntime {
  readonly version: string;
  serve(options: BunServeOptions): BunServer;
}

/** The `Bun` global; throws when this is not running under Bun. */
export function bunRuntime(): BunRuntime {
  const runtime = (globalThis as { Bun?: BunRuntime }).Bun;
  if (runtime === undefined) throw new Error('this entry point runs under Bun: bun apps/gateway/src/main-bun.ts');
  return runtime;
}

/** Bun's `idleTimeout` is a whole number of seconds, at most 255. */
const BUN_MAX_IDLE_TIMEOUT_SECONDS = 255;

/**
 * Bun's own body size limit: none to speak of. The app refuses a declared `Content-Length` over
 * `BODY_LIMIT_BYTES` before reading any of it and a chunked body as soon as it passes the limit,
 * with its JSON 413; drain.ts then discards the rest before the answer goes out. Any finite
 * limit here would pre-empt that answer for a `Content-Length` above it with Bun's own bare 413
 * (no body, not JSON) before the app saw the request.
 */
export const BUN_MAX_REQUEST_BODY_SIZE = Number.MAX_SAFE_INTEGER;

export interface TimeoutSettings {
  /** `BODY_TIMEOUT_MS`: time allowed to receive a whole request (0: no limit). */
  readonly bodyTimeoutMs: number;
  /** The longest a request may legitimately spend waiting for Redis (command timeout, plus WAIT). */
  readonly longestHandlerMs: number;
}

/**
 * Bun's `idleTimeout`. Measured on Bun 1.4: it is not reset by body bytes that trickle in, and it
 * also runs while the handler works, so it acts as a deadline for the whole exchange; when it
 * fires Bun closes the connection without an answer, and it fires late by up to ~4 s (its timer
 * granularity). So it is set past both `BODY_TIMEOUT_MS` (whose JSON 408 comes from
 * `withRequestDeadline`, deadline.ts) and the longest Redis wait (a slow Redis must still get its 503).
 */
export function bunIdleTimeoutSeconds(settings: TimeoutSettings): number {
  if (settings.bodyTimeoutMs <= 0) return 0;
  const seconds = Math.ceil(Math.max(settings.bodyTimeoutMs, settings.longestHandlerMs) / 1000) + 1;
  return Math.min(seconds, BUN_MAX_IDLE_TIMEOUT_SECONDS);
}

/**
 * Stops accepting connections and lets in-flight requests finish (Bun closes each busy
 * connection after its current response); connections still open after `timeoutMs` are cut.
 */
export async function stopGracefully(server: BunServer, timeoutMs: number): Promise<void> {
  await stopWithin(timeoutMs, server.stop(false), () => server.stop(true));
}
