/**
 * How much event text (characters of a batch's items, bytes of a single body) is parsed and hashed
 * in one turn of the event loop: past it, other requests get a turn before more.
 */
export const EVENT_TEXT_PER_TURN = 64 * 1024;

/** Lets the requests waiting on the event loop in before going on. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
