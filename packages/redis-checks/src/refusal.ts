import type { Logger } from '@ddup/runtime';

/**
 * Why a process must not run on the Redis it reached: serving there would break the dedup window.
 * Libraries report it; each entry point decides (ddup's log it and exit with status 2).
 */
export interface Refusal {
  /** `eviction_policy`: Redis may evict remembered events; `layout_mismatch`: its data was written with other settings. */
  readonly reason: 'eviction_policy' | 'layout_mismatch';
  readonly detail: string;
}

export type OnRefused = (refusal: Refusal) => void;

/** What a library does with a refusal when its entry point gave no hook: log it, and go on. */
export function logRefusal(logger: Logger): OnRefused {
  return (refusal) => logger.error(refusal.detail, { reason: refusal.reason });
}
