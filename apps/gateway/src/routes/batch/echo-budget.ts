import { MAX_ECHOED_BODY_CHARS } from '../../validation/problems.ts';

/**
 * How much of a batch its 422-style answers may echo. pydantic echoes the whole body as the `input`
 * of every `missing` problem; in a batch that is the item, up to four times. Items are echoed while
 * their texts add up to at most `MAX_ECHOED_BODY_CHARS` per request (the single-event route's bound);
 * after that, `input: {}`. So a 16 MiB batch of broken events cannot make a 64 MiB answer.
 */
export class EchoBudget {
  private remaining = MAX_ECHOED_BODY_CHARS;

  /** Whether an item of `chars` characters may still be echoed; if so, it is counted. */
  take(chars: number): boolean {
    if (chars > this.remaining) return false;
    this.remaining -= chars;
    return true;
  }
}
