import { readFileSync } from 'node:fs';

/**
 * When the process started, as the kernel counts it (Linux: field 22 of /proc/<pid>/stat, clock
 * ticks since boot); undefined where there is no /proc or no such process. A pid and its start
 * time name one process: a pid the system reused for another one has another start time.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so count after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True while a process with this pid exists, whoever owns it (signal 0 sends nothing). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the process `pid` that started at `startTime` (when known) still runs. */
export function isProcessRunning(pid: number, startTime: string | undefined): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !pidExists(pid)) return false;
  if (startTime === undefined) return true;
  const current = processStartTime(pid);
  return current === undefined || current === startTime;
}
