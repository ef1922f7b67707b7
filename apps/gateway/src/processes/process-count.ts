import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** The most gateway processes one machine runs. */
export const MAX_GATEWAY_PROCESSES = 64;

/**
 * `auto`: one gateway process per core but one, which is left to Redis and the consumer pool when
 * they run on the same machine (at least one process). A 2-core machine gets 1.
 */
export function autoGatewayProcesses(cores = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_GATEWAY_PROCESSES, cores - 1));
}

/** GATEWAY_PROCESSES: a whole number from 1 to 64, or `auto`; 1 when unset. */
export const gatewayProcessesVar = z
  .string()
  .regex(/^(auto|\d+)$/, { error: `must be auto or a whole number from 1 to ${MAX_GATEWAY_PROCESSES}` })
  .transform((value) => (value === 'auto' ? autoGatewayProcesses() : Number(value)))
  .pipe(
    z
      .number()
      .int()
      .min(1, { error: 'must be at least 1' })
      .max(MAX_GATEWAY_PROCESSES, { error: `must be at most ${MAX_GATEWAY_PROCESSES}` }),
  )
  .default(1);
