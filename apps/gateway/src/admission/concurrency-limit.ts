/**
 * Wraps `run` so that at most `limit` calls are under way at once; the others wait their turn, in
 * order. Used for batch admission: 50 batches sent together would queue on the one Redis
 * connection and time out there (503 for batches Redis did store), while waiting here costs no
 * timer, and a batch's command timeout starts only once it is sent.
 */
export function limitConcurrency<A extends unknown[], R>(limit: number, run: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async (...args: A) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await run(...args);
    } finally {
      release();
    }
  };
}
