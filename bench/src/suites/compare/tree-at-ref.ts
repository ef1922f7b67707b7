import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A checkout of another commit beside the working tree, with its own dependencies installed. */
export interface TreeAtRef {
  readonly ref: string;
  /** The commit the ref named when the tree was made (short). */
  readonly commit: string;
  readonly root: string;
  remove(): void;
}

const PNPM = ['-y', 'pnpm@10.34.9'];

function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * `git worktree add --detach` of `ref` in a temporary directory, then `pnpm install
 * --frozen-lockfile` there (from the local store first, the registry only for what it lacks).
 * The worktree is removed again by `remove()`, and registered nowhere else.
 */
export function checkoutRef(repoRoot: string, ref: string): TreeAtRef {
  const commit = git(repoRoot, ['rev-parse', '--short', `${ref}^{commit}`]);
  const root = join(mkdtempSync(join(tmpdir(), 'ddup-compare-')), 'tree');
  git(repoRoot, ['worktree', 'add', '--detach', root, commit]);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    try {
      git(repoRoot, ['worktree', 'remove', '--force', root]);
    } catch {
      rmSync(root, { recursive: true, force: true });
      git(repoRoot, ['worktree', 'prune']);
    }
  };
  try {
    const install = (extra: readonly string[]) =>
      execFileSync('npx', [...PNPM, 'install', '--frozen-lockfile', ...extra], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      install(['--prefer-offline']);
    } catch {
      install([]);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { ref, commit, root, remove };
}
