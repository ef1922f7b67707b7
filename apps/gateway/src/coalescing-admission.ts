import { type AdmitEvent, type Admission, admissionOf } from './admission.ts';
import type { AdmitBatchPerEvent } from './batch-admission.ts';
import type { HashedEvent } from './batch-item.ts';

export interface CoalescingSettings {
  /** Most events one call carries; at this count the gathering is sent at once and a new one starts. */
  readonly maxEvents: number;
  /** Most canonical characters one call carries (the client builds each command as one string). */
  readonly maxChars: number;
}

/** Events bigger than this go alone through the per-event script: they gain nothing from company. */
export const COALESCE_MAX_EVENT_CHARS = 64 * 1024;

/** The most canonical characters gathered into one call (16 events at the per-event limit). */
export const COALESCE_MAX_CALL_CHARS = 1024 * 1024;

interface Waiting {
  readonly event: HashedEvent;
  resolve(admission: Admission): void;
  reject(error: unknown): void;
}

/**
 * Single-event admission that gathers the events of the requests handled in one turn of the event
 * loop and admits them through `admitBatch`: one batch-script call per shard instead of one call
 * per event. Redis runs the same check-then-store per event, in arrival order, so each event is
 * still admitted atomically and a repeat within the turn is a duplicate of the first. Each request
 * gets its own event's outcome, so it is answered as it would be alone: a failed call (a cluster
 * master away, a timeout) fails only the requests of its shard, and under `DURABILITY=wait` a
 * failed WAIT fails only accepted events, never a duplicate. Events over COALESCE_MAX_EVENT_CHARS
 * are admitted alone by `admitAlone`.
 */
export function createCoalescingAdmitter(admitBatch: AdmitBatchPerEvent, admitAlone: AdmitEvent, settings: CoalescingSettings): AdmitEvent {
  let waiting: Waiting[] = [];
  let waitingChars = 0;

  function flush(): void {
    const taken = waiting;
    waiting = [];
    waitingChars = 0;
    if (taken.length === 0) return;
    admitBatch(taken.map((entry) => entry.event)).then(
      (outcomes) => {
        taken.forEach((entry, index) => {
          const outcome = outcomes[index];
          if (outcome === undefined) entry.reject(new Error('batch admission returned fewer outcomes than events'));
          else if (outcome.status === 'failed') entry.reject(outcome.error);
          else entry.resolve(admissionOf(outcome));
        });
      },
      (error: unknown) => {
        for (const entry of taken) entry.reject(error);
      },
    );
  }

  return function admitEvent(hash, canonical) {
    if (canonical.length > COALESCE_MAX_EVENT_CHARS) return admitAlone(hash, canonical);
    return new Promise<Admission>((resolve, reject) => {
      if (waiting.length > 0 && waitingChars + canonical.length > settings.maxChars) flush();
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ event: { hash, canonical }, resolve, reject });
      waitingChars += canonical.length;
      if (waiting.length >= settings.maxEvents) flush();
    });
  };
}
