import { z } from 'zod';

/** Redis's memory units (`memtoull`): k, m, g are powers of 1000; kb, mb, gb powers of 1024; b bytes. */
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

/** Bytes of a size written as redis.conf takes it (`512mb`, `2gb`, `1073741824`), or undefined if it is not one. */
export function parseMemorySize(text: string): number | undefined {
  const match = /^(\d+)([a-z]*)$/i.exec(text.trim());
  const factor = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || factor === undefined) return undefined;
  const bytes = Number(match[1]) * factor;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Below this Redis warns that it can hardly hold anything; the index alone needs more. */
const MIN_LIMIT_BYTES = 1024 ** 2;

/** A memory limit for redis-server's `maxmemory`, in bytes; 0 is no limit. */
export function memorySizeVar(fallback: number) {
  return z
    .string()
    .transform((text, context) => {
      const bytes = parseMemorySize(text);
      if (bytes === undefined) {
        context.addIssue({
          code: 'custom',
          message: 'must be a size as redis.conf writes it: bytes (1073741824) or a number with kb, mb, gb (512mb, 2gb); 0 for no limit',
        });
        return z.NEVER;
      }
      if (bytes !== 0 && bytes < MIN_LIMIT_BYTES) {
        context.addIssue({ code: 'custom', message: 'must be 0 (no limit) or at least 1mb' });
        return z.NEVER;
      }
      return bytes;
    })
    .default(fallback);
}
