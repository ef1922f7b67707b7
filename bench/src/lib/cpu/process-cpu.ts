import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU times in 1/100 s on every mainstream platform. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; undefined where unavailable. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine spent busy (every core, every process), from /proc/stat. */
export function machineBusySeconds(): number | undefined {
  try {
    const [label, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
    if (label !== 'cpu') return undefined;
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export const MACHINE = 'machine';
export const OTHERS = 'others';

/** This process (the load generator) included, under the name `load generator`; and the machine. */
function snapshot(pids: Readonly<Record<string, number>>): Map<string, number | undefined> {
  const usage = process.cpuUsage();
  const times = new Map<string, number | undefined>([['load generator', (usage.user + usage.system) / 1e6]]);
  for (const [name, pid] of Object.entries(pids)) times.set(name, cpuSecondsOf(pid));
  times.set(MACHINE, machineBusySeconds());
  return times;
}

/**
 * Measures the CPU each process uses while `work` runs, in % of one core (200 % = both cores of a
 * 2-core machine): tells which process saturates. Also `machine` (all processes) and `others`
 * (what the rest of a shared machine took meanwhile).
 */
export async function withCpuShares<T>(
  pids: Readonly<Record<string, number>>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuPercent: Record<string, number> }> {
  const before = snapshot(pids);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const after = snapshot(pids);
  const cpuPercent: Record<string, number> = {};
  for (const [name, end] of after) {
    const start = before.get(name);
    if (start !== undefined && end !== undefined) cpuPercent[name] = Math.round((100 * (end - start)) / seconds);
  }
  const machine = cpuPercent[MACHINE];
  if (machine !== undefined) {
    const ours = Object.entries(cpuPercent)
      .filter(([name]) => name !== MACHINE)
      .reduce((sum, [, value]) => sum + value, 0);
    cpuPercent[OTHERS] = Math.max(0, machine - ours);
  }
  return { result, cpuPercent };
}
