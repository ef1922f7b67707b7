import { setTimeout as sleep } from 'node:timers/promises';
import { CONSUMER_GROUP, groupsOfStream } from '@ddup/store';
import type { RedisProbe } from './redis-probe.ts';
import { EVENTS_STREAM } from './stream-length.ts';

/** The `ddup-workers` group on the events stream, from XINFO GROUPS. */
export interface GroupProgress {
  readonly entriesRead: number;
  /** Entries not yet delivered to the group (null when Redis cannot tell). */
  readonly lag: number | null;
  /** Delivered, not yet acknowledged. */
  readonly pending: number;
}

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** The group's progress, or undefined while the group does not exist (no consumer started yet). */
export async function readGroup(probe: RedisProbe, stream = EVENTS_STREAM): Promise<GroupProgress | undefined> {
  let groups: Record<string, unknown>[];
  try {
    groups = await groupsOfStream(probe, stream);
  } catch {
    return undefined; // no such key yet
  }
  const group = groups.find((fields) => fields.name === CONSUMER_GROUP);
  if (!group) return undefined;
  return {
    entriesRead: numberOrNull(group['entries-read']) ?? 0,
    lag: numberOrNull(group.lag),
    pending: Number(group.pending ?? 0),
  };
}

export const isDrained = (progress: GroupProgress | undefined) => progress !== undefined && progress.lag === 0 && progress.pending === 0;

/** A reading of the group with its time (ms since the epoch). */
export interface ProgressSample {
  readonly at: number;
  readonly progress: GroupProgress | undefined;
}

/**
 * Polls XINFO GROUPS every `intervalMs` until every entry is delivered and acknowledged (lag 0,
 * pending 0) or `timeoutMs` passes; returns every sample, the last one drained or not.
 */
export async function pollUntilDrained(probe: RedisProbe, timeoutMs: number, intervalMs = 100): Promise<ProgressSample[]> {
  const samples: ProgressSample[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sample = { at: Date.now(), progress: await readGroup(probe) };
    samples.push(sample);
    if (isDrained(sample.progress) || sample.at > deadline) return samples;
    await sleep(intervalMs);
  }
}
