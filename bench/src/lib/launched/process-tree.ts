import { readFileSync, readdirSync } from 'node:fs';

/** What a process of a running ddup is, from its command line. */
export type Role = 'gateway' | 'consumer' | 'redis' | 'launcher';

export const ROLES: readonly Role[] = ['gateway', 'redis', 'consumer', 'launcher'];

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function roleOf(commandLine: string): Role | undefined {
  if (commandLine.includes('redis-server')) return 'redis';
  if (/gateway\/src\/main(-bun)?\.ts/.test(commandLine)) return 'gateway';
  if (commandLine.includes('consumer/src/main.ts')) return 'consumer';
  return undefined;
}

/**
 * Every process below `root` (the launcher) by role, read from /proc: gateway processes (one or
 * several), the consumer, the embedded redis-server, and the launcher itself.
 */
export function processesBelow(root: number): Map<Role, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const roles = new Map<Role, number[]>([['launcher', [root]]]);
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const role = roleOf(commandLineOf(pid));
    if (role) roles.set(role, [...(roles.get(role) ?? []), pid]);
    queue.push(...(children.get(pid) ?? []));
  }
  return roles;
}
