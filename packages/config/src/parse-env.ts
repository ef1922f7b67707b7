import type { z } from 'zod';

/** A setting that failed validation; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** An empty variable (`PORT=`) counts as unset, as shells and compose files often leave them. */
function withoutEmpty(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') present[name] = value.trim();
  }
  return present;
}

/** Variables whose values a message never repeats. */
const SECRET_NAME = /(TOKEN|PASSWORD|SECRET)$/;

/**
 * Parses the environment once, at start-up, against a schema of named variables.
 * Throws a ConfigError naming each bad variable and the value it had.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string | undefined>>): z.output<S> {
  const present = withoutEmpty(env);
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.');
    const value = present[name];
    // A secret's value must not end up in a log, even a wrong one (it is often fixed by extending it).
    const got = value === undefined || SECRET_NAME.test(name) ? '' : ` (got ${JSON.stringify(value)})`;
    return `${name}: ${issue.message}${got}`;
  });
  throw new ConfigError(problems);
}

/**
 * Runs `parse`; on a ConfigError, the line an entry point prints before it exits with status 2
 * (the start-up contract). Other errors are thrown. Only entry points exit: they decide.
 */
export function parseOrExplain<T>(appName: string, parse: () => T): { readonly config: T } | { readonly failure: string } {
  try {
    return { config: parse() };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { failure: `${appName}: ${error.message}\n` };
  }
}
