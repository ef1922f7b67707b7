/**
 * Request-time quantiles over about the last minute, for the dashboard's p50/p99: a sliding window
 * of `slices` histograms (each `sliceMs` long) over log-spaced buckets, 2.5 % apart from 10 µs to
 * over 100 s. Recording is one Math.log and one increment, with no allocation: it runs on every
 * request, where prom-client's Summary (a t-digest per age bucket) cost 6–7 % of the gateway's CPU.
 * Quantiles are read to within a bucket (±1.25 %), which a dashboard does not notice.
 */
export class RecentLatency {
  static readonly MIN_SECONDS = 1e-5;
  static readonly GROWTH = 1.025;
  static readonly BUCKETS = 660;
  readonly #sliceMs: number;
  readonly #slices: Uint32Array[];
  /** The slice index (time ÷ sliceMs) each ring position holds. */
  readonly #sliceOf: Float64Array;
  readonly #logGrowth = Math.log(RecentLatency.GROWTH);

  constructor(
    readonly windowMs = 60_000,
    slices = 6,
    private readonly now: () => number = Date.now,
  ) {
    this.#sliceMs = windowMs / slices;
    this.#slices = Array.from({ length: slices }, () => new Uint32Array(RecentLatency.BUCKETS));
    this.#sliceOf = new Float64Array(slices).fill(-1);
  }

  observe(seconds: number): void {
    const slice = Math.floor(this.now() / this.#sliceMs);
    const at = slice % this.#slices.length;
    const counts = this.#slices[at];
    if (counts === undefined) return;
    if (this.#sliceOf[at] !== slice) {
      counts.fill(0);
      this.#sliceOf[at] = slice;
    }
    const index =
      seconds <= RecentLatency.MIN_SECONDS
        ? 0
        : Math.min(RecentLatency.BUCKETS - 1, Math.ceil(Math.log(seconds / RecentLatency.MIN_SECONDS) / this.#logGrowth));
    counts[index] = (counts[index] ?? 0) + 1;
  }

  /** What was observed within the window, as [bucket, count] pairs (non-zero buckets only): to add up across processes. */
  counts(): LatencyCounts {
    const current = Math.floor(this.now() / this.#sliceMs);
    const totals = new Float64Array(RecentLatency.BUCKETS);
    this.#slices.forEach((counts, at) => {
      const slice = this.#sliceOf[at] ?? -1;
      if (slice < 0 || current - slice >= this.#slices.length) return;
      for (let i = 0; i < counts.length; i++) totals[i] = (totals[i] ?? 0) + (counts[i] ?? 0);
    });
    const pairs: [number, number][] = [];
    totals.forEach((count, bucket) => {
      if (count > 0) pairs.push([bucket, count]);
    });
    return pairs;
  }

  /** The `q` quantiles (0..1) of what was observed within the window, in seconds; null when nothing was. */
  quantiles(...qs: readonly number[]): number[] | null {
    return quantilesOf([this.counts()], qs);
  }
}

/** Bucket counts of a RecentLatency, as [bucket, count] pairs. */
export type LatencyCounts = readonly (readonly [bucket: number, count: number])[];

/** The bucket's value: its geometric middle (within ±1.25 % of any value it holds). */
function bucketValue(bucket: number): number {
  if (bucket === 0) return RecentLatency.MIN_SECONDS;
  return RecentLatency.MIN_SECONDS * RecentLatency.GROWTH ** (bucket - 0.5);
}

/** The `qs` quantiles, in seconds, of the counts of one or more RecentLatency (several processes'); null when all are empty. */
export function quantilesOf(sources: readonly LatencyCounts[], qs: readonly number[]): number[] | null {
  const totals = new Float64Array(RecentLatency.BUCKETS);
  let count = 0;
  for (const pairs of sources) {
    for (const [bucket, n] of pairs) {
      if (bucket < 0 || bucket >= RecentLatency.BUCKETS) continue;
      totals[bucket] = (totals[bucket] ?? 0) + n;
      count += n;
    }
  }
  if (count === 0) return null;
  return qs.map((q) => {
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    for (let i = 0; i < totals.length; i++) {
      seen += totals[i] ?? 0;
      if (seen >= rank) return bucketValue(i);
    }
    return bucketValue(totals.length - 1);
  });
}
