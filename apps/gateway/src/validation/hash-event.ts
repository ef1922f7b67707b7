import { type CanonicalForm, LoneSurrogateError, NonFiniteNumberError, eventHash } from '@ddup/hashing';
import type { ValidationProblem } from '../errors.ts';
import type { ParsedEvent } from './parse-event.ts';
import { keyFieldsHash } from './key-fields.ts';
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

/** A valid event as a dedup space admits it: `hash` is its dedup key, `contentHash` the whole event's hash. */
export interface KeyedEvent extends HashedEvent {
  readonly contentHash: string;
}

/**
 * `hashEvent`, then the dedup key of a space that keys on `keyFields` (the whole event when
 * undefined: then key and content hash are the same, the Python-compatible hash).
 */
export function keyEvent(parsed: ParsedEvent, form: CanonicalForm, keyFields: readonly string[] | undefined): KeyedEvent | ValidationProblem[] {
  const hashed = hashEvent(parsed, form);
  if (Array.isArray(hashed)) return hashed;
  const key = keyFields === undefined ? hashed.hash : keyFieldsHash(parsed.event, keyFields, form);
  return { canonical: hashed.canonical, hash: key, contentHash: hashed.hash };
}
