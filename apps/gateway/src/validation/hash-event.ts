import { type CanonicalForm, LoneSurrogateError, NonFiniteNumberError, eventHash } from '@ddup/hashing';
import type { ValidationProblem } from '../errors.ts';
import type { ParsedEvent } from './parse-event.ts';
import { unwritableValueProblem } from './problems.ts';

/** What admission needs of one valid event. */
export interface HashedEvent {
  readonly canonical: string;
  readonly hash: string;
}

/**
 * The second step of the event pipeline: the event's canonical text in `form` and its dedup key.
 * Returns a `value_error` problem for a payload the JCS form cannot write (1e400, lone surrogates).
 */
export function hashEvent(parsed: ParsedEvent, form: CanonicalForm): HashedEvent | ValidationProblem[] {
  try {
    return eventHash(parsed.event, form);
  } catch (error) {
    if (error instanceof NonFiniteNumberError || error instanceof LoneSurrogateError) return [unwritableValueProblem(error, parsed.event.payload)];
    throw error;
  }
}
