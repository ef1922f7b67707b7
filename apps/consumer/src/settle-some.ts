/**
 * Waits for every promise. Values line up with the promises (undefined where one failed); when
 * every one failed, throws the first reason instead, so a total outage still reads as a failure.
 */
export async function settleSome<T>(promises: readonly Promise<T>[]): Promise<{ values: (T | undefined)[]; failures: unknown[] }> {
  const settled = await Promise.allSettled(promises);
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0 && failures.length === settled.length) throw failures[0];
  return { values: settled.map((result) => (result.status === 'fulfilled' ? result.value : undefined)), failures };
}
