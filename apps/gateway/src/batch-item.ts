import { type CanonicalForm, type JsonObject, type JsonValue, LoneSurrogateError, NonFiniteNumberError, eventHash, isJsonObject } from '@ddup/hashing';
import type { ValidationProblem } from './errors.ts';
import { atItem } from './batch-problems.ts';
import type { EchoBudget } from './batch-echo-budget.ts';
import { eventSchema, toDedupEvent } from './event-schema.ts';
import { notAnObjectProblem, problemsFromZod } from './validation-problems.ts';

/** What admission needs of one valid event. */
export interface HashedEvent {
  readonly canonical: string;
  readonly hash: string;
}

/** The event's four fields, without unknown ones (ignored anyway), which zod would copy one by one. */
function eventFields(body: JsonObject): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  const { user_id, event_type, timestamp, payload } = body;
  if (user_id !== undefined) fields['user_id'] = user_id;
  if (event_type !== undefined) fields['event_type'] = event_type;
  if (timestamp !== undefined) fields['timestamp'] = timestamp;
  if (payload !== undefined) fields['payload'] = payload;
  return fields;
}

/**
 * Validates one parsed item of a batch exactly as the single-event route validates a body (same
 * schema, same problems, `loc` with the item's index after `body`) and hashes it. Returns the
 * problems when it is invalid. `chars`: the item's text length, for the echo budget.
 */
export function hashBatchItem(item: JsonValue, index: number, chars: number, form: CanonicalForm, echo: EchoBudget): HashedEvent | ValidationProblem[] {
  if (!isJsonObject(item)) return atItem([notAnObjectProblem(item)], index);
  const result = eventSchema.safeParse(eventFields(item));
  if (!result.success) {
    const { issues } = result.error;
    // Only `missing` problems echo the item; count it against the budget only then.
    const echoItem = issues.some((issue) => issue.path.length === 1 && item[String(issue.path[0])] === undefined) && echo.take(chars);
    return atItem(problemsFromZod(issues, item, echoItem), index);
  }
  const event = toDedupEvent(result.data);
  try {
    return eventHash(event, form);
  } catch (error) {
    // The JCS form cannot write every value the Python form can (1e400, lone surrogates).
    if (error instanceof NonFiniteNumberError || error instanceof LoneSurrogateError) {
      return [{ type: 'value_error', loc: ['body', index, 'payload'], msg: error.message, input: event.payload }];
    }
    throw error;
  }
}
