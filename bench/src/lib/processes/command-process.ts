import { spawn } from 'node:child_process';
import { benchEnvironment } from '../env.ts';

/** A child process the benchmark started (a ServiceProcess of @ddup/test-utils fits this too). */
export interface RunningProcess {
  readonly pid: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

const started = new Set<() => void>();
// A benchmark that dies or is interrupted must not leave its processes behind.
process.once('exit', () => {
  for (const kill of started) kill();
});

/**
 * Starts any executable with the benchmark's environment plus `env`: for what startService of
 * @ddup/test-utils cannot start (it runs `node --import tsx <entry>` only), i.e. Bun, or Node with
 * extra flags such as --cpu-prof.
 */
export function startCommand(bin: string, args: readonly string[], env: Record<string, string>, options: { readonly cwd?: string } = {}): RunningProcess {
  const child = spawn(bin, args, { env: { ...benchEnvironment(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
  const kill = () => child.kill('SIGKILL');
  started.add(kill);
  let output = '';
  const onData = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    const finish = (code: number | null) => {
      done = true;
      started.delete(kill);
      resolve(code);
    };
    child.once('exit', finish);
    child.once('error', (error) => {
      output += `\n${error.message}`;
      finish(-1);
    });
  });
  return {
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
}
