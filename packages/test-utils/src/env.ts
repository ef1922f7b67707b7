/** This process's environment with `overrides` on top, for the services a test starts. */
export function inheritedEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
