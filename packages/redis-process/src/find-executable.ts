import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An executable that is not where it was looked for; the message says where that was. */
export class ExecutableNotFoundError extends Error {
  constructor(
    /** The name or path asked for. */
    readonly executable: string,
    /** Every file that was tried. */
    readonly candidates: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'ExecutableNotFoundError';
  }
}

/** Why `file` cannot be run, or undefined when it can. */
function problemWith(file: string): string | undefined {
  try {
    if (statSync(file).isDirectory()) return 'is a directory';
    accessSync(file, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    if (code === 'EACCES') return 'is not executable';
    return `cannot be used (${code ?? String(error)})`;
  }
}

/**
 * The full path of `name`: `name` itself when it holds a slash (a path, as a shell takes it), else
 * the first executable `name` in the directories of `pathVariable`. Throws ExecutableNotFoundError
 * naming the path, or the name and each directory searched.
 */
export function resolveExecutable(name: string, pathVariable: string | undefined): string {
  if (name.includes('/')) {
    const problem = problemWith(name);
    if (problem) throw new ExecutableNotFoundError(name, [name], `${name} ${problem}`);
    return name;
  }
  const directories = (pathVariable ?? '').split(delimiter).filter(Boolean);
  const candidates = directories.map((dir) => join(dir, name));
  const found = candidates.find((candidate) => problemWith(candidate) === undefined);
  if (found) return found;
  const searched = directories.length === 0 ? 'PATH is empty' : `searched PATH: ${directories.join(delimiter)}`;
  throw new ExecutableNotFoundError(name, candidates, `${name} was not found on PATH (${searched})`);
}

/** resolveExecutable, or undefined instead of the error. */
export function findExecutable(name: string, pathVariable: string | undefined): string | undefined {
  try {
    return resolveExecutable(name, pathVariable);
  } catch (error) {
    if (error instanceof ExecutableNotFoundError) return undefined;
    throw error;
  }
}
