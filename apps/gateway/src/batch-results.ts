import type { AdmitResult } from '@ddup/store';
import type { ValidationProblem } from './errors.ts';

/** One item of a batch answer, in the order the items came. */
export type AcceptedResult = { readonly status: 'accepted'; readonly id: string; readonly hash: string };
export type DuplicateResult = {
  readonly status: 'duplicate';
  readonly hash: string;
  readonly state: string;
  /** ISO 8601 (UTC), to the second; null when the Python service's key was found (its time is unknown). */
  readonly first_seen_at: string | null;
};
export type InvalidResult = { readonly status: 'invalid'; readonly detail: ValidationProblem[] };
export type AdmittedResult = AcceptedResult | DuplicateResult;
export type BatchResult = AdmittedResult | InvalidResult;

/** When an event was first accepted, as the 409 and the batch answers say it. */
export function firstSeenAt(firstSeenMs: number | undefined): string | null {
  return firstSeenMs === undefined ? null : new Date(firstSeenMs).toISOString();
}

/** The batch item an admission answers with. */
export function admittedResultOf(admission: AdmitResult): AdmittedResult {
  return admission.outcome === 'accepted'
    ? { status: 'accepted', id: admission.id, hash: admission.hash }
    : { status: 'duplicate', hash: admission.hash, state: admission.state, first_seen_at: firstSeenAt(admission.firstSeenMs) };
}

/** The 200 answer to a batch. */
export interface BatchAnswer {
  readonly results: BatchResult[];
  readonly accepted: number;
  readonly duplicates: number;
  readonly invalid: number;
}

/** The answer with its counts; every item must have a result by now. */
export function batchAnswer(results: readonly (BatchResult | undefined)[]): BatchAnswer {
  let accepted = 0;
  let duplicates = 0;
  let invalid = 0;
  for (const result of results) {
    if (result === undefined) throw new Error('batch item without a result');
    if (result.status === 'accepted') accepted++;
    else if (result.status === 'duplicate') duplicates++;
    else invalid++;
  }
  return { results: results as BatchResult[], accepted, duplicates, invalid };
}
