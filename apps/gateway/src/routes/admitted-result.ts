import type { AdmitResult } from '@ddup/store';

/** An admitted event as a batch answer lists it (the HTTP shape of the space's AdmitResult). */
export type AcceptedResult = { readonly status: 'accepted'; readonly id: string; readonly hash: string };
export type DuplicateResult = {
  readonly status: 'duplicate';
  readonly hash: string;
  readonly state: string;
  /** ISO 8601 (UTC), to the second; null when the Python service's key was found (its time is unknown). */
  readonly first_seen_at: string | null;
};
export type AdmittedResult = AcceptedResult | DuplicateResult;

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
