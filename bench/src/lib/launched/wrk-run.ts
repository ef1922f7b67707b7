import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EVENTS_PATH } from '../load/load.ts';

const run = promisify(execFile);
const MIX_SCRIPT = fileURLToPath(new URL('./wrk-mix.lua', import.meta.url));

/** What one wrk run of the 80/20 mix measured (see wrk-mix.lua). */
export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  /** Socket errors and timeouts (not HTTP statuses). */
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Readonly<Record<string, number>>;
}

/** Whether wrk is on PATH (Debian: `apt-get install wrk`). */
export async function wrkAvailable(): Promise<boolean> {
  try {
    await run('wrk', ['--version']);
    return true;
  } catch (error) {
    // wrk --version prints its banner and exits 1.
    return (error as { code?: unknown }).code === 1;
  }
}

/** `wrk -t1 -c<connections> -d<seconds>s` with the old service's 80/20 mix against POST /events. */
export async function runWrkMix(baseUrl: string, seconds: number, connections: number): Promise<WrkResult> {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', MIX_SCRIPT, `${baseUrl}${EVENTS_PATH}`], {
    maxBuffer: 1 << 20,
  });
  const line = stdout.split('\n').find((text) => text.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const parsed = JSON.parse(line.slice('WRK_RESULT '.length)) as {
    requests: number;
    seconds: number;
    errors: number;
    p50_us: number;
    p99_us: number;
    statuses: Record<string, number>;
  };
  return {
    requests: parsed.requests,
    seconds: parsed.seconds,
    errors: parsed.errors,
    p50Ms: parsed.p50_us / 1000,
    p99Ms: parsed.p99_us / 1000,
    statuses: parsed.statuses,
  };
}
