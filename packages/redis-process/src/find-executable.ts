import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The full path of `name` on PATH (or `name` itself when it is a path that exists), else undefined. */
export function findExecutable(name: string, pathVariable: string | undefined): string | undefined {
  const candidates = name.includes('/') ? [name] : (pathVariable ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}
