import type { ValidationProblem } from '../../errors.ts';

/** The batch body (JSON) is valid JSON but not an array; pydantic's wording for a `List[...]` body. */
export function listTypeProblem(input: unknown): ValidationProblem {
  return { type: 'list_type', loc: ['body'], msg: 'Input should be a valid list', input };
}

/** More events than `BATCH_MAX_EVENTS`: pydantic's `too_long` for a list with `max_length` (the list is not echoed). */
export function tooManyEventsProblem(maxEvents: number, count: number): ValidationProblem {
  return {
    type: 'too_long',
    loc: ['body'],
    msg: `List should have at most ${maxEvents} items after validation, not ${count}`,
    input: {},
    ctx: { field_type: 'List', max_length: maxEvents, actual_length: count },
  };
}

/** One item larger than a single event may be (`BODY_LIMIT_BYTES`); it is not parsed. */
export function eventTooLargeProblem(index: number, limitBytes: number): ValidationProblem {
  return {
    type: 'body_too_large',
    loc: ['body', index],
    msg: `Event is larger than the limit of ${limitBytes} bytes for one event`,
    input: {},
    ctx: { limit_bytes: limitBytes },
  };
}

/** Puts the item's index after `body` in each problem's `loc`: `['body', 'user_id']` → `['body', 3, 'user_id']`. */
export function atItem(problems: ValidationProblem[], index: number): ValidationProblem[] {
  for (const problem of problems) problem.loc = ['body', index, ...problem.loc.slice(1)];
  return problems;
}
