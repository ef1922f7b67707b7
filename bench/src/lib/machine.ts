import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

export interface MachineInfo {
  readonly date: string;
  readonly node: string;
  readonly nproc: number;
  readonly loadAverage: readonly number[];
}

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return availableParallelism();
  }
}

/** Where and when the numbers were taken (they drift on a shared machine). */
export function describeMachine(): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc: nproc(),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
