import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from './parse-env.ts';

/** How a JSON settings file (TENANTS_FILE, SINKS_FILE) is checked and named in its messages. */
export interface JsonFileRules<S extends z.ZodType> {
  readonly schema: S;
  /** Where an issue is, in the words of the file (`tenant "acme" (tenants[0]) field window_seconds`). */
  readonly placeOf: (path: readonly PropertyKey[], raw: unknown) => string;
  /** Problems no field-by-field check sees (ids used twice, ...). */
  readonly crossChecks: (data: z.output<S>) => readonly string[];
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `text` parsed and checked; throws a ConfigError with each problem prefixed by `source`. */
export function parseJsonFile<S extends z.ZodType>(text: string, source: string, rules: JsonFileRules<S>): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${source}: is not JSON (${reasonOf(error)})`]);
  }
  const result = rules.schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${source}: ${rules.placeOf(issue.path, raw)}: ${issue.message}`));
  }
  const problems = rules.crossChecks(result.data).map((problem) => `${source}: ${problem}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** The text of the file `variable` names; a file that cannot be read is a ConfigError. */
export function readSettingsFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${variable}: cannot read ${path} (${reasonOf(error)})`]);
  }
}
