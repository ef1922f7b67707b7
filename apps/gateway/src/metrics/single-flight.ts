/**
 * `read`, one call at a time however many ask: while a call is in flight every asker shares its
 * promise (whatever its age), and a result that came less than `reuseMs` ago is served again. A
 * failure is not reused: the next asker calls again.
 */
export function singleFlight<T>(read: () => Promise<T>, reuseMs: number): () => Promise<T> {
  let latest: Promise<T> | undefined;
  let inFlight = false;
  let doneAt = 0;
  return () => {
    if (latest !== undefined && (inFlight || Date.now() - doneAt < reuseMs)) return latest;
    inFlight = true;
    const reading = read();
    latest = reading;
    reading.then(
      () => {
        inFlight = false;
        doneAt = Date.now();
      },
      () => {
        inFlight = false;
        if (latest === reading) latest = undefined;
      },
    );
    return reading;
  };
}
