import { readFileSync } from 'node:fs';
import { cpuSecondsOf } from '../../lib/cpu/process-cpu.ts';

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds of `pid` and every process below it that runs now (PostgreSQL's backends, say). */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    total += cpuSecondsOf(next) ?? 0;
    queue.push(...childrenOf(next));
  }
  return total;
}
