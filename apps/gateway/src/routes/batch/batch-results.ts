import type { AdmittedResult } from '../admitted-result.ts';
import type { ValidationProblem } from '../../errors.ts';

/** One item of a batch answer, in the order the items came: admitted (accepted, duplicate) or invalid. */
export type InvalidResult = { readonly status: 'invalid'; readonly detail: ValidationProblem[] };
export type BatchResult = AdmittedResult | InvalidResult;

/** The 200 answer to a batch. */
export interface BatchAnswer {
  readonly results: BatchResult[];
  readonly accepted: number;
  readonly duplicates: number;
  readonly invalid: number;
}

/** The answer with its counts; every item must have a result by now. */
export function batchAnswer(results: readonly (BatchResult | undefined)[]): BatchAnswer {
  let accepted = 0;
  let duplicates = 0;
  let invalid = 0;
  for (const result of results) {
    if (result === undefined) throw new Error('batch item without a result');
    if (result.status === 'accepted') accepted++;
    else if (result.status === 'duplicate') duplicates++;
    else invalid++;
  }
  return { results: results as BatchResult[], accepted, duplicates, invalid };
}
