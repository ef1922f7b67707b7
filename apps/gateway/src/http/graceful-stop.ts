/**
 * A graceful stop with a deadline, for Node's server and Bun's alike: waits for `graceful` (the
 * server no longer accepting, in-flight requests finishing) at most `timeoutMs`, then runs `force`
 * (cut the connections still open) and waits for it.
 *
 * @example
 * ```ts
 * await stopWithin(10_000, server.stop(false), () => server.stop(true));
 * ```
 */
export async function stopWithin(timeoutMs: number, graceful: Promise<unknown>, force: () => void | Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const outcome = await Promise.race([graceful.then(() => 'stopped' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'late') await force();
}
