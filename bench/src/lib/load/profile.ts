import type { LoadRequest, LoadSummary } from './load.ts';

/**
 * One check, with what it compared. An honesty check fails only when an answer claimed something
 * untrue (a 202 without its entry, a 409 for a new event, a stored event never confirmed): the run
 * fails. A sanity check failing (e.g. 503s under overload, which claim nothing) is flagged only.
 */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly honesty: boolean;
  readonly detail: string;
}

/** Which server a run loaded. */
export type Target = 'ddup' | 'baseline';

/** One autocannon run of a profile: request bodies, and what the answers said. */
export interface ProfileRun {
  readonly next: () => LoadRequest;
  readonly onAnswer: (kind: string, status: number, body: string) => void;
  /** Events the answers say were stored (the gateway) or accepted (the baseline). */
  stored(load: LoadSummary): number;
  /** Checks on the answers alone; the stream's growth is checked by the caller. */
  checks(load: LoadSummary, target: Target): Check[];
}

/** A kind of load: scenarios (a), (b), (c) of the benchmark. */
export interface LoadProfile {
  readonly id: 'a' | 'b' | 'c';
  readonly title: string;
  readonly path: string;
  readonly eventsPerRequest: number;
  /** A fresh run: its own events (a new fixed duplicate for the mix). */
  start(): ProfileRun;
}

/** The status every answer should have, counted. */
export function allAnswered(load: LoadSummary, status: number): Check {
  const good = load.statusCounts[String(status)] ?? 0;
  const others = Object.entries(load.statusCounts).filter(([code]) => code !== String(status));
  const samples = Object.entries(load.errorSamples).map(([code, body]) => `${code}: ${body}`);
  const also = others.map(([code, n]) => `${n} × ${code}`).join(', ');
  const detail =
    others.length === 0 ? `${good} × ${status}` : `${good} × ${status}; also ${also}${samples.length ? ` (first answers: ${samples.join('; ')})` : ''}`;
  return {
    name: `every answer ${status}`,
    ok: others.length === 0 && load.errors === 0 && good > 0,
    honesty: false,
    detail: `${detail}; ${load.errors} socket errors`,
  };
}

export const count = (counts: Readonly<Record<string, number>> | undefined, status: number) => counts?.[String(status)] ?? 0;

/** The `hash` of a gateway answer (202 or 409), read without parsing the whole body. */
export function hashIn(body: string): string | undefined {
  return /"hash":"([0-9a-f]{64})"/.exec(body)?.[1];
}
