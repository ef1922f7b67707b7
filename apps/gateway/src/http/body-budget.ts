import { overloaded } from '../errors.ts';

/**
 * `MAX_INFLIGHT_BODY_BYTES`: how many bytes of request bodies the gateway holds in memory at once,
 * across all requests. Fifty clients each sending a 15 MB batch would otherwise take the heap to
 * the better part of a gigabyte (measured: 824 MB RSS, /healthz at 8.6 s); with the budget, those
 * past it get 503 `overloaded` with `Retry-After` instead.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly capBytes: number) {}

  /** Bytes reserved right now. */
  get inUse(): number {
    return this.used;
  }

  /** Reserves `bytes` if they fit; false (and nothing reserved) otherwise. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.capBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** One request's share of the budget: grows as its body is read, given back all at once when it is answered. */
export class BodyReservation {
  private held = 0;
  private released = false;

  constructor(private readonly budget: BodyBudget) {}

  /** Adds `bytes` to this request's share; throws the 503 `overloaded` ApiError when they do not fit. */
  take(bytes: number): void {
    if (this.released || bytes <= 0) return;
    if (!this.budget.tryReserve(bytes)) throw overloaded(this.budget.capBytes);
    this.held += bytes;
  }

  /** Gives everything back; later `take`s are no-ops (the request is answered). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.release(this.held);
    this.held = 0;
  }
}

// The reservation of each request being served, for the code that reads its body (read-body.ts).
// Keyed by the Request object the server hands to the app (the same object reaches the handler
// as `c.req.raw`), so it goes when the request goes.
const reservations = new WeakMap<Request, BodyReservation>();

/** The reservation `withBodyBudget` made for `request`; undefined outside it (e.g. `app.request` in tests). */
export function reservationOf(request: Request): BodyReservation | undefined {
  return reservations.get(request);
}

type Fetch<A extends unknown[]> = (request: Request, ...rest: A) => Response | Promise<Response>;

/**
 * Serves each request with a reservation in `budget` (see read-body.ts for what it is charged with),
 * released once the answer is ready, or the handler failed: a request that is answered, refused,
 * timed out or abandoned gives its bytes back. The same wrapper serves Node and Bun.
 */
export function withBodyBudget<A extends unknown[]>(fetch: Fetch<A>, budget: BodyBudget): Fetch<A> {
  return (request, ...rest) => {
    const reservation = new BodyReservation(budget);
    reservations.set(request, reservation);
    let answer: Response | Promise<Response>;
    try {
      answer = fetch(request, ...rest);
    } catch (error) {
      reservation.release();
      throw error;
    }
    if (answer instanceof Response) {
      reservation.release();
      return answer;
    }
    // then() rather than finally(): one promise fewer on every request.
    return answer.then(
      (response) => {
        reservation.release();
        return response;
      },
      (error: unknown) => {
        reservation.release();
        throw error;
      },
    );
  };
}
